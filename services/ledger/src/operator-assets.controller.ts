import { readFileSync } from 'node:fs';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OPERATOR_PAGE_SCRIPT } from '@microraiden/ledger';
import type { FastifyReply } from 'fastify';

interface Asset {
  readonly type: string;
  readonly body: string;
}

// Read once at start-up from the installed package: the page needs no CDN and works offline.
const ASSETS: Readonly<Record<string, Asset>> = {
  'uplot.iife.min.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
  },
  'uplot.min.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  },
  'operator-page.js': { type: 'text/javascript; charset=utf-8', body: OPERATOR_PAGE_SCRIPT },
};

/**
 * The operator page's scripts and styles (uPlot and the page's own script). Public like any static file: code,
 * no data; the data comes from the guarded page and its JSON.
 */
@ApiExcludeController()
@Controller('operator/assets')
export class OperatorAssetsController {
  @Get(':name')
  @Header('cache-control', 'public, max-age=300')
  @Header('x-content-type-options', 'nosniff')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (asset === undefined) throw new NotFoundException();
    void reply.type(asset.type);
    return asset.body;
  }
}
