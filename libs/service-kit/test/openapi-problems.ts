import { Validator } from '@seriousme/openapi-schema-validator';
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_PATH, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

interface Operation {
  readonly security?: ReadonlyArray<Record<string, unknown>>;
  readonly responses?: Record<string, unknown>;
}

/** The parts of an OpenAPI 3 document the checks below read. */
export interface OpenApiDocument {
  readonly security?: ReadonlyArray<Record<string, unknown>>;
  readonly components?: { readonly securitySchemes?: Record<string, unknown> };
  readonly paths: Record<string, Record<string, Operation>>;
}

/** A route as Nest serves it: the OpenAPI path template, the lowercase method, and whether a guard protects it. */
export interface ServedRoute {
  readonly path: string;
  readonly method: string;
  readonly guarded: boolean;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * What is wrong with a service's OpenAPI document, empty when nothing: it must be valid OpenAPI 3 (the official
 * JSON schema, internal references resolving), every security requirement must name a defined scheme, and every
 * route a guard protects (read from the app's own guard metadata, so a new guarded route is checked without
 * anyone listing it) must be documented with a security requirement and its 401.
 */
export async function openApiProblems(app: INestApplication, document: OpenApiDocument): Promise<string[]> {
  const problems: string[] = [];
  const validator = new Validator();
  const result = await validator.validate(document as unknown as Record<string, unknown>);
  if (!result.valid) problems.push(`not valid OpenAPI: ${JSON.stringify(result.errors)}`);
  else {
    try {
      validator.resolveRefs();
    } catch (err) {
      problems.push(`a reference does not resolve: ${(err as Error).message}`);
    }
  }
  const schemes = new Set(Object.keys(document.components?.securitySchemes ?? {}));
  const checkSecurity = (where: string, security: Operation['security']) => {
    for (const requirement of security ?? [])
      for (const name of Object.keys(requirement))
        if (!schemes.has(name)) problems.push(`${where} requires the undefined security scheme '${name}'`);
  };
  checkSecurity('the document', document.security);
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(item))
      if (HTTP_METHODS.has(method)) checkSecurity(`${method.toUpperCase()} ${path}`, operation.security);

  for (const route of servedRoutes(app).filter((r) => r.guarded)) {
    const where = `${route.method.toUpperCase()} ${route.path} (guarded)`;
    const operation = document.paths[route.path]?.[route.method];
    if (operation === undefined) problems.push(`${where} is not documented`);
    else {
      if (!(operation.security ?? document.security ?? []).length)
        problems.push(`${where} documents no security requirement`);
      if (operation.responses?.['401'] === undefined) problems.push(`${where} does not document its 401`);
    }
  }
  return problems;
}

/** Every controller route of the app, with whether a class- or method-level guard protects it. */
export function servedRoutes(app: INestApplication): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const modules = app.get(ModulesContainer);
  for (const module of modules.values()) {
    // A module mounted with RouterModule prefixes its controllers' paths (kept per application).
    const modulePath =
      (Reflect.getMetadata(MODULE_PATH + modules.applicationId, module.metatype) as string | undefined) ??
      (Reflect.getMetadata(MODULE_PATH, module.metatype) as string | undefined) ??
      '';
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (typeof controller !== 'function') continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      const classGuards = (Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[] | undefined) ?? [];
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const own = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (method === undefined || own === undefined) continue;
        const methodGuards = (Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [];
        routes.push({
          path: openApiPath(`${modulePath}/${base}`, own),
          method: RequestMethod[method].toLowerCase(),
          guarded: classGuards.length + methodGuards.length > 0,
        });
      }
    }
  }
  return routes;
}

// Nest's `api/1` + `:sender` as OpenAPI writes it: `/api/1/{sender}`.
function openApiPath(base: string, own: string): string {
  const joined = `/${[base, own].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
