import { Controller, Get, Module, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerModule } from 'nestjs-pino';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapService, loggerOptions, OperatorOnly } from '../src';
import { openApiProblems, servedRoutes, type OpenApiDocument } from './openapi-problems';

class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@Controller('api/1')
class WellDocumented {
  @Get('open')
  open() {
    return {};
  }

  @Get('items/:itemId')
  @OperatorOnly(DenyAll)
  item() {
    return {};
  }
}

@OperatorOnly(DenyAll)
@Controller('guarded-class')
class GuardedClass {
  @Get()
  list() {
    return {};
  }
}

// The gateway's old mistakes: a bearer requirement with no such scheme, and a guard without its 401.
@Controller('api/1')
class BadlyDocumented {
  @Get('stats')
  @UseGuards(DenyAll)
  @ApiBearerAuth()
  stats() {
    return {};
  }
}

function moduleWith(controllers: Type<unknown>[]) {
  @Module({ imports: [LoggerModule.forRoot(loggerOptions('test', 'silent'))], controllers })
  class TestModule {}
  return TestModule;
}

let app: NestFastifyApplication | undefined;
afterEach(() => app?.close());

async function served(controllers: Type<unknown>[]): Promise<OpenApiDocument> {
  app = await bootstrapService(moduleWith(controllers), { name: 'test', port: 0, listen: false });
  await app.init();
  const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs/openapi.json' });
  return res.json() as OpenApiDocument;
}

describe('openApiProblems', () => {
  it('finds none in a document whose guarded routes carry the operator scheme and their 401', async () => {
    const doc = await served([WellDocumented, GuardedClass]);
    expect(servedRoutes(app!)).toEqual(
      expect.arrayContaining([
        { path: '/api/1/open', method: 'get', guarded: false },
        { path: '/api/1/items/{itemId}', method: 'get', guarded: true },
        { path: '/guarded-class', method: 'get', guarded: true },
      ]),
    );
    expect(doc.components?.securitySchemes?.operator).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(await openApiProblems(app!, doc)).toEqual([]);
  });

  it('names an undefined security scheme and a guarded route without its 401', async () => {
    const doc = await served([BadlyDocumented]);
    expect(await openApiProblems(app!, doc)).toEqual([
      "GET /api/1/stats requires the undefined security scheme 'bearer'",
      'GET /api/1/stats (guarded) does not document its 401',
    ]);
  });

  it('names a guarded route without a security requirement', async () => {
    const doc = await served([WellDocumented]);
    delete (doc.paths['/api/1/items/{itemId}']!.get as { security?: unknown }).security;
    expect(await openApiProblems(app!, doc)).toEqual([
      'GET /api/1/items/{itemId} (guarded) documents no security requirement',
    ]);
  });

  it('rejects a document the OpenAPI 3 schema rejects', async () => {
    const doc = await served([WellDocumented]);
    // A response object must have a description.
    delete (doc.paths['/api/1/items/{itemId}']!.get!.responses!['401'] as { description?: string })
      .description;
    const problems = await openApiProblems(app!, doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^not valid OpenAPI: .*description/);
  });
});
