import { readFileSync } from 'node:fs';
import {
  buildSchema,
  execute,
  type GraphQLError,
  isNonNullType,
  Kind,
  parse,
  validate,
  type ASTNode,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { checkRepoAccess, type Principal } from './auth.js';
import { ApiError } from './http.js';
import type { Bucket } from './rateLimit.js';
import { nodeId } from './serialize.js';
import { gitBlobSha } from './crypto.js';
import type { CommitRec, GitHubState, RepoRec, TagRec } from './state.js';

/**
 * GitHub's GraphQL API over the fake's model: every query is validated against the
 * real published schema (so a field GitHub does not have fails here too), then
 * executed with resolvers for the parts the bot reads. Errors look like GitHub's.
 */

let cachedSchema: GraphQLSchema | undefined;

/** The public GitHub schema, built once per process (it takes about half a second). */
export function githubSchema(): GraphQLSchema {
  if (!cachedSchema) {
    // The package exports only its index (which also parses a large JSON file), so read the SDL beside it.
    const sdl = readFileSync(new URL('./schema.graphql', import.meta.resolve('@octokit/graphql-schema')), 'utf8');
    // The published SDL repeats a couple of fields, which strict SDL validation rejects.
    cachedSchema = buildSchema(sdl, { assumeValidSDL: true });
  }
  return cachedSchema;
}

/** An error GitHub reports with a top-level `type` (NOT_FOUND, FORBIDDEN, ...). */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Context {
  state: GitHubState;
  principal: Principal;
  bucket: Bucket;
}

type Obj = Record<string, unknown>;

function commitObj(state: GitHubState, repo: RepoRec, c: CommitRec): Obj {
  const headline = c.message.split('\n')[0] ?? '';
  return {
    __typename: 'Commit',
    id: nodeId('C', `${repo.id}:${c.sha}`),
    oid: c.sha,
    abbreviatedOid: c.sha.slice(0, 7),
    committedDate: c.date,
    authoredDate: c.date,
    messageHeadline: headline,
    message: c.message,
    messageBody: c.message.split('\n').slice(1).join('\n').trim(),
    url: `${state.urls.webUrl}/${repo.fullName}/commit/${c.sha}`,
    commitUrl: `${state.urls.webUrl}/${repo.fullName}/commit/${c.sha}`,
    commitResourcePath: `/${repo.fullName}/commit/${c.sha}`,
  };
}

function commitBySha(state: GitHubState, repo: RepoRec, sha: string): Obj | null {
  const c = repo.commits.get(sha);
  return c ? commitObj(state, repo, c) : null;
}

function blobObj(state: GitHubState, repo: RepoRec, text: string): Obj {
  const oid = gitBlobSha(text);
  const head = repo.branches.get(repo.defaultBranch) ?? '';
  return {
    __typename: 'Blob',
    id: nodeId('B', oid),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    byteSize: Buffer.byteLength(text),
    isBinary: false,
    isTruncated: false,
    text,
    commitUrl: `${state.urls.webUrl}/${repo.fullName}/commit/${head}`,
    commitResourcePath: `/${repo.fullName}/commit/${head}`,
  };
}

function tagTarget(state: GitHubState, repo: RepoRec, t: TagRec): Obj | null {
  if (!t.annotated) return commitBySha(state, repo, t.commitSha);
  return {
    __typename: 'Tag',
    id: nodeId('TAG', t.annotated.sha),
    oid: t.annotated.sha,
    abbreviatedOid: t.annotated.sha.slice(0, 7),
    name: t.name,
    message: t.annotated.message,
    tagger: { name: repo.owner, email: `${repo.owner.toLowerCase()}@users.noreply.github.com`, date: t.annotated.date },
    target: commitBySha(state, repo, t.commitSha),
    commitUrl: `${state.urls.webUrl}/${repo.fullName}/commit/${t.commitSha}`,
    commitResourcePath: `/${repo.fullName}/commit/${t.commitSha}`,
  };
}

interface RefEntry {
  name: string;
  prefix: string;
  target: () => Obj | null;
  date: string;
}

function refObj(repo: RepoRec, e: RefEntry): Obj {
  return { __typename: 'Ref', id: nodeId('REF', `${repo.id}:${e.prefix}${e.name}`), name: e.name, prefix: e.prefix, target: e.target };
}

function refEntries(state: GitHubState, repo: RepoRec, prefix: string): RefEntry[] {
  const out: RefEntry[] = [];
  if ('refs/heads/'.startsWith(prefix) || prefix.startsWith('refs/heads/')) {
    for (const [name, sha] of repo.branches) {
      out.push({ name, prefix: 'refs/heads/', target: () => commitBySha(state, repo, sha), date: repo.commits.get(sha)?.date ?? '' });
    }
  }
  if ('refs/tags/'.startsWith(prefix) || prefix.startsWith('refs/tags/')) {
    for (const t of repo.tags.values()) {
      out.push({ name: t.name, prefix: 'refs/tags/', target: () => tagTarget(state, repo, t), date: repo.commits.get(t.commitSha)?.date ?? '' });
    }
  }
  // A prefix is matched against the full ref name, and `name` is what follows it.
  return out
    .filter((e) => `${e.prefix}${e.name}`.startsWith(prefix))
    .map((e) => ({ ...e, prefix, name: `${e.prefix}${e.name}`.slice(prefix.length) }))
    .filter((e) => e.name !== '');
}

const cursorOf = (i: number): string => Buffer.from(String(i + 1)).toString('base64');
const indexOf = (cursor: string): number => Number(Buffer.from(cursor, 'base64').toString('utf8'));

function connection<T>(all: T[], args: Obj, field: string, toNode: (t: T) => Obj): Obj {
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  if (first == null && last == null) {
    throw new TypedError('MISSING_PAGINATION_BOUNDARIES', `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`);
  }
  for (const [name, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (v != null && (v < 0 || v > 100)) {
      throw new TypedError('EXCESSIVE_PAGINATION', `Requesting ${v} records on the \`${field}\` connection exceeds the \`${name}\` limit of 100 records.`);
    }
  }
  let lo = 0;
  let hi = all.length;
  if (typeof args.after === 'string') lo = Math.max(lo, indexOf(args.after));
  if (typeof args.before === 'string') hi = Math.min(hi, indexOf(args.before) - 1);
  let start = lo;
  let end = hi;
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const slice = all.slice(start, end).map((t, i) => ({ cursor: cursorOf(start + i), node: toNode(t) }));
  return {
    totalCount: all.length,
    nodes: slice.map((e) => e.node),
    edges: slice,
    pageInfo: {
      hasNextPage: end < hi,
      hasPreviousPage: start > lo,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}

function repositoryObj(state: GitHubState, repo: RepoRec): Obj {
  const defaultRef = (): Obj | null => {
    const sha = repo.branches.get(repo.defaultBranch);
    if (!sha) return null;
    return refObj(repo, { name: repo.defaultBranch, prefix: 'refs/heads/', target: () => commitBySha(state, repo, sha), date: '' });
  };
  return {
    __typename: 'Repository',
    id: nodeId('R', repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    isPrivate: repo.private,
    visibility: repo.private ? 'PRIVATE' : 'PUBLIC',
    isArchived: false,
    url: `${state.urls.webUrl}/${repo.fullName}`,
    owner: { __typename: state.accountType(repo.owner), login: repo.owner, id: nodeId('U', repo.owner) },
    defaultBranchRef: defaultRef,
    refs: (args: Obj) => {
      const order = (args.orderBy ?? {}) as { field?: string; direction?: string };
      const direction = order.direction ?? (args.direction as string | undefined) ?? 'ASC';
      const q = typeof args.query === 'string' ? args.query : '';
      const all = refEntries(state, repo, String(args.refPrefix))
        .filter((e) => !q || e.name.includes(q))
        .sort((a, b) => (order.field === 'TAG_COMMIT_DATE' ? a.date.localeCompare(b.date) || a.name.localeCompare(b.name) : a.name.localeCompare(b.name)));
      if (direction === 'DESC') all.reverse();
      return connection(all, args, 'refs', (e) => refObj(repo, e));
    },
    ref: (args: Obj) => {
      const q = String(args.qualifiedName);
      const full = q.startsWith('refs/') ? q : repo.branches.has(q) ? `refs/heads/${q}` : `refs/tags/${q}`;
      const prefix = full.startsWith('refs/heads/') ? 'refs/heads/' : 'refs/tags/';
      const e = refEntries(state, repo, prefix).find((x) => `${prefix}${x.name}` === full);
      return e ? refObj(repo, e) : null;
    },
    object: (args: Obj) => {
      const oid = typeof args.oid === 'string' ? args.oid : undefined;
      const expr = typeof args.expression === 'string' ? args.expression : undefined;
      // "rev:path" names a file at a revision (GitHub's git-rev-parse syntax); files here are not versioned, so any known revision serves the current ones.
      const colon = expr?.indexOf(':') ?? -1;
      if (expr !== undefined && colon >= 0) {
        const rev = expr.slice(0, colon);
        const path = expr.slice(colon + 1);
        const known = rev === 'HEAD' || rev === '' || repo.branches.has(rev) || repo.tags.has(rev) || repo.commits.has(rev);
        const text = known ? repo.files.get(path) : undefined;
        return text === undefined ? null : blobObj(state, repo, text);
      }
      const rev = expr === 'HEAD' ? repo.defaultBranch : expr;
      const sha = oid ?? (rev ? (repo.branches.get(rev) ?? repo.tags.get(rev)?.commitSha) : undefined);
      return sha ? commitBySha(state, repo, sha) : null;
    },
  };
}

function rootValue(ctx: Context): Obj {
  const { state, principal } = ctx;
  return {
    viewer: () => {
      if (principal.kind !== 'token') throw new TypedError('FORBIDDEN', 'Resource not accessible by integration');
      const u = principal.user;
      return { __typename: 'User', login: u.login, id: nodeId('U', u.id), databaseId: u.id, name: u.login, url: `${state.urls.webUrl}/${u.login}` };
    },
    rateLimit: () => ({
      cost: 1,
      limit: ctx.bucket.limit,
      remaining: ctx.bucket.remaining,
      used: ctx.bucket.used,
      resetAt: new Date(ctx.bucket.reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      nodeCount: 0,
    }),
    repository: (args: Obj) => {
      const owner = String(args.owner);
      const name = String(args.name);
      const repo = state.findRepo(owner, name);
      try {
        checkRepoAccess(principal, repo, 'read', 'contents');
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) throw new TypedError('FORBIDDEN', e.message);
        throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      }
      return repo ? repositoryObj(state, repo) : null;
    },
  };
}

const fieldResolver: GraphQLFieldResolver<unknown, Context> = (source, args, context, info) => {
  const v = (source as Obj | null)?.[info.fieldName];
  if (typeof v === 'function') return (v as (a: Obj, c: Context) => unknown)(args as Obj, context);
  if (v === undefined && isNonNullType(info.returnType)) {
    throw new Error(`The fake GitHub does not implement ${info.parentType.name}.${info.fieldName}`);
  }
  return v;
};

/** Abstract types (GitObject, RepositoryOwner, ...) resolve through the `__typename` the model carries. */
const typeResolver: GraphQLTypeResolver<unknown, Context> = (value) => {
  const t = (value as Obj | null)?.__typename;
  return typeof t === 'string' ? t : undefined;
};

interface GitHubGraphqlError {
  type?: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  message: string;
}

/** Where an AST node sits in the operation, as GitHub reports it (`["query Name", "repository", "foo"]`). */
function astPath(doc: DocumentNode, target: ASTNode | undefined): string[] | undefined {
  if (!target) return undefined;
  const walk = (set: SelectionSetNode | undefined, trail: string[]): string[] | undefined => {
    for (const sel of set?.selections ?? []) {
      if (sel === target) return [...trail, sel.kind === Kind.FIELD ? (sel.alias ?? sel.name).value : '...'];
      if (sel.kind === Kind.FIELD) {
        if (sel.arguments?.some((a) => a === target)) return [...trail, (sel.alias ?? sel.name).value];
        const hit = walk(sel.selectionSet, [...trail, (sel.alias ?? sel.name).value]);
        if (hit) return hit;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const hit = walk(sel.selectionSet, [...trail, `... on ${sel.typeCondition?.name.value ?? ''}`]);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const hit = walk(def.selectionSet, [def.name ? `${def.operation} ${def.name.value}` : def.operation]);
    if (hit) return hit;
  }
  return undefined;
}

/** graphql-js's validation messages in the wording (and with the codes) GitHub's server uses. */
function githubValidationError(doc: DocumentNode, e: GraphQLError): GitHubGraphqlError {
  const out: GitHubGraphqlError = { message: e.message };
  const path = astPath(doc, e.nodes?.[0]);
  let m: RegExpExecArray | null;
  if ((m = /^Cannot query field "(\w+)" on type "(\w+)"\./.exec(e.message))) {
    out.message = `Field '${m[1]}' doesn't exist on type '${m[2]}'`;
    out.extensions = { code: 'undefinedField', typeName: m[2], fieldName: m[1] };
  } else if ((m = /^Unknown argument "(\w+)" on field "\w+\.(\w+)"\./.exec(e.message))) {
    out.message = `Field '${m[2]}' doesn't accept argument '${m[1]}'`;
    out.extensions = { code: 'argumentNotAccepted', name: m[2], typeName: 'Field', argumentName: m[1] };
  } else if ((m = /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided\./.exec(e.message))) {
    out.message = `Field '${m[1]}' is missing required arguments: ${m[2]}`;
    out.extensions = { code: 'missingRequiredArguments', className: 'Field', name: m[1], arguments: m[2] };
  }
  if (path) out.path = path;
  if (e.locations) out.locations = e.locations;
  return out;
}

export function operationNameOf(query: unknown, operationName?: unknown): string | undefined {
  if (typeof operationName === 'string' && operationName) return operationName;
  if (typeof query !== 'string') return undefined;
  return /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(query)?.[1];
}

/** Runs one GraphQL request; GitHub answers 200 even for invalid queries. */
export async function runGraphql(state: GitHubState, principal: Principal, bucket: Bucket, body: unknown): Promise<{ status: number; body: unknown }> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Obj;
  if (typeof b.query !== 'string' || !b.query.trim()) {
    return { status: 200, body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] } };
  }
  let doc: DocumentNode;
  try {
    doc = parse(b.query);
  } catch (e) {
    const err = e as GraphQLError;
    const loc = err.locations?.[0];
    const found = /found (.+)\.$/.exec(err.message)?.[1] ?? 'unexpected input';
    return {
      status: 200,
      body: { errors: [{ message: `Parse error on ${found}${loc ? ` at [${loc.line}, ${loc.column}]` : ''}`, locations: err.locations ?? [] }] },
    };
  }
  const schema = githubSchema();
  const problems = validate(schema, doc);
  if (problems.length) return { status: 200, body: { errors: problems.map((p) => githubValidationError(doc, p)) } };
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (ops.some((o) => o.operation === 'mutation')) {
    return { status: 200, body: { errors: [{ type: 'FORBIDDEN', message: 'The fake GitHub implements no mutations.' }] } };
  }
  const ctx: Context = { state, principal, bucket };
  const result = await execute({
    schema,
    document: doc,
    rootValue: rootValue(ctx),
    contextValue: ctx,
    variableValues: (b.variables ?? undefined) as Obj | undefined,
    operationName: typeof b.operationName === 'string' ? b.operationName : undefined,
    fieldResolver,
    typeResolver,
  });
  const out: { data?: unknown; errors?: GitHubGraphqlError[] } = {};
  if (result.data !== undefined) out.data = result.data;
  if (result.errors?.length) {
    out.errors = result.errors.map((e) => {
      const ge: GitHubGraphqlError = { message: e.message };
      if (e.originalError instanceof TypedError) ge.type = e.originalError.type;
      if (e.path) ge.path = e.path;
      if (e.locations) ge.locations = e.locations;
      return ge;
    });
  }
  return { status: 200, body: out };
}
