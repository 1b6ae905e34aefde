import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors.js';
import { Env, envCrossProblems, nearMiss } from './env.js';
import { describeIssues, problemLine } from './problems.js';
import { FileConfig, repoShortName, type RepoConfig } from './schema.js';

export type GitHubAuthConfig = { kind: 'token'; token: string } | { kind: 'app'; appId: number; privateKey: string };

/** A configured repository with the names commands use resolved. */
export interface ResolvedRepo extends RepoConfig {
  shortName: string;
  owner: string;
  repo: string;
}

export interface AppConfig {
  env: Env;
  file: FileConfig;
  repos: ResolvedRepo[];
  githubAuth: GitHubAuthConfig;
  /** `mirror.tokenEnv` name -> the credential found in the environment. */
  mirrorTokens: Record<string, string>;
  /** Every credential the process holds, for the log sanitizer. */
  credentials: string[];
}

async function readPrivateKey(value: string): Promise<string> {
  // PEM text is used as it is; anything else is a path to a PEM file.
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  return readFile(value, 'utf8');
}

/**
 * Reads and validates env and the YAML file together, so that one start-up
 * message names every problem. Throws ConfigError; never a stack trace.
 */
export async function loadConfig(vars: NodeJS.ProcessEnv): Promise<AppConfig> {
  const problems: string[] = [];
  const envResult = Env.safeParse(vars);
  if (!envResult.success) {
    for (const p of describeIssues(envResult.error, Env, vars)) {
      problems.push(problemLine(p) + (p.text.startsWith('is missing') ? nearMiss(vars, p.path) : ''));
    }
  }
  problems.push(...envCrossProblems(vars));
  const configPath = (vars.CHATOPS_CONFIG ?? '').trim() || './chatops.yml';

  let file: FileConfig | undefined;
  let text: string | undefined;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push(
      code === 'ENOENT'
        ? `\`CHATOPS_CONFIG\`: no configuration file at ${configPath} (create it, see README "Configuration", or point CHATOPS_CONFIG at it)`
        : `\`CHATOPS_CONFIG\`: cannot read ${configPath} (${code ?? 'error'})`,
    );
  }
  if (text !== undefined) {
    try {
      const raw: unknown = parseYaml(text);
      const parsed = FileConfig.safeParse(raw ?? {});
      if (parsed.success) file = parsed.data;
      else problems.push(...describeIssues(parsed.error, FileConfig, raw ?? {}).map((p) => problemLine(p, `${configPath}: `)));
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
      problems.push(`${configPath}: not valid YAML${where}`);
    }
  }

  const env = envResult.success ? envResult.data : undefined;
  const mirrorTokens: Record<string, string> = {};
  file?.repos.forEach((repo, i) => {
    const name = repo.sync?.mirror.tokenEnv;
    if (!name) return;
    const value = vars[name]?.trim();
    if (value) mirrorTokens[name] = value;
    else
      problems.push(
        `\`${name}\` is missing: the bot's credential for ${repo.sync?.mirror.apiUrl}, named by repos[${i}].sync.mirror.tokenEnv in ${configPath}${nearMiss(vars, name)}`,
      );
  });

  let githubAuth: GitHubAuthConfig | undefined;
  if (env?.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY) {
    try {
      githubAuth = { kind: 'app', appId: Number(env.GITHUB_APP_ID), privateKey: await readPrivateKey(env.GITHUB_APP_PRIVATE_KEY) };
    } catch {
      problems.push('`GITHUB_APP_PRIVATE_KEY` is neither PEM text nor a readable file');
    }
  } else if (env?.GITHUB_TOKEN) {
    githubAuth = { kind: 'token', token: env.GITHUB_TOKEN };
  }

  if (problems.length > 0 || !env || !file || !githubAuth) throw new ConfigError(problems);

  const repos = file.repos.map((r) => {
    const [owner = '', repo = ''] = r.github.split('/');
    return { ...r, shortName: r.name ?? repoShortName(r.github), owner, repo };
  });
  const credentials = [
    env.SLACK_BOT_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.SLACK_APP_TOKEN,
    env.GITHUB_TOKEN,
    env.GITHUB_WEBHOOK_SECRET,
    githubAuth.kind === 'app' ? githubAuth.privateKey : undefined,
    ...Object.values(mirrorTokens),
  ].filter((c): c is string => Boolean(c));
  return { env, file, repos, githubAuth, mirrorTokens, credentials };
}
