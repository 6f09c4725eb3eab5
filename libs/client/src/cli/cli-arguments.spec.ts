import { describe, expect, it } from 'vitest';
import { parseCliArguments } from './cli-arguments';
import { CliUsageError } from './cli-usage-error';

const usageError = (argv: string[]): string => {
  try {
    parseCliArguments(argv);
  } catch (error) {
    if (error instanceof CliUsageError) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
};

describe('parseCliArguments', () => {
  it('reads a command, its positional arguments, its options and global options in any order', () => {
    expect(
      parseCliArguments([
        '--json',
        'pay',
        'http://x/api',
        '--max-price',
        '5',
        '--header',
        'A: 1',
        '--header',
        'B: 2',
      ]),
    ).toEqual({
      help: false,
      command: 'pay',
      args: { url: 'http://x/api' },
      values: { json: true, 'max-price': '5', header: ['A: 1', 'B: 2'] },
    });
    expect(parseCliArguments(['open', '0xabc', '10', '--rpc', 'http://rpc'])).toMatchObject({
      command: 'open',
      args: { receiver: '0xabc', deposit: '10' },
      values: { rpc: 'http://rpc' },
    });
  });

  it('answers --help, naming the command it follows', () => {
    expect(parseCliArguments(['-h'])).toEqual({ help: true });
    expect(parseCliArguments(['settle', '--help'])).toEqual({ help: true, command: 'settle' });
    // Help wins over missing arguments: `microraiden open --help` is how a user learns them.
    expect(parseCliArguments(['open', '-h'])).toEqual({ help: true, command: 'open' });
    expect(parseCliArguments(['fly', '--help'])).toEqual({ help: true });
  });

  it('takes --uncooperative on close only', () => {
    expect(parseCliArguments(['close', '0xab', '--uncooperative'])).toMatchObject({
      command: 'close',
      values: { uncooperative: true },
    });
    expect(usageError(['settle', '0xab', '--uncooperative'])).toBe(
      '--uncooperative is not an option of settle (microraiden settle --help)',
    );
  });

  it.each([
    [[], /no command/],
    [['fly'], /unknown command "fly"/],
    [['open', '0xabc'], /open takes 2 argument\(s\): microraiden open <receiver> <deposit>/],
    [['sync', 'extra'], /sync takes 0 argument/],
    [['channels', '--wait'], /--wait is not an option of channels/],
    [['pay', 'http://x', '--bogus'], /^Unknown option '--bogus'$/],
    [['settle', '--rpc'], /argument missing/],
    [['open', '0xabc', '-5'], /^Unknown option '-5'$/],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv as string[])).toMatch(message);
  });
});
