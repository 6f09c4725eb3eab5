/** Where to start with each demo: listed on the upstream's free index page and in `npm run stack`'s output. */
export const DEMO_LINKS = [
  { demo: 'fortune', path: '/fortune', what: 'a fortune cookie page (HTML, paid)' },
  { demo: 'fortune', path: '/api/fortune', what: 'a fortune cookie as JSON (paid)' },
  { demo: 'wikipaydia', path: '/wiki/', what: 'a wiki: the index is free, every article is paid' },
  { demo: 'echo', path: '/echo?hello=world', what: 'echoes method, path, query and body (POST costs more)' },
] as const;
