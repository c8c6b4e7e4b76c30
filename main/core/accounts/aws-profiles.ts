// The named profiles of the user's AWS config, found the way the AWS SDK finds them:
// AWS_CONFIG_FILE (default ~/.aws/config: `[default]` and `[profile NAME]` sections) and
// AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials: `[NAME]` sections). Only
// section names are read; the keys inside are never kept. SSO sessions and services
// sections of the config are not profiles and are left out.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AwsProfileList } from '../../contract/index.js';

/** Profile names the accounts.addProfile command accepts. */
export const PROFILE_NAME = /^[A-Za-z0-9_.@+-]{1,64}$/;

/** The home folder the SDK uses (HOME, USERPROFILE, HOMEDRIVE+HOMEPATH, then the OS). */
function homeDir(env: NodeJS.ProcessEnv): string {
  if (env.HOME) return env.HOME;
  if (env.USERPROFILE) return env.USERPROFILE;
  if (env.HOMEPATH) return `${env.HOMEDRIVE ?? `C:${path.sep}`}${env.HOMEPATH}`;
  return os.homedir();
}

function expandHome(file: string, env: NodeJS.ProcessEnv): string {
  return file.startsWith('~/') ? path.join(homeDir(env), file.slice(2)) : file;
}

export function awsConfigFiles(env: NodeJS.ProcessEnv = process.env): {
  configFile: string;
  credentialsFile: string;
} {
  const home = homeDir(env);
  return {
    configFile: expandHome(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'), env),
    credentialsFile: expandHome(
      env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
      env,
    ),
  };
}

/**
 * Names of the INI sections that hold at least one setting, in file order. Comments start
 * with # or ; (at the line start or after a space), as in the SDK's parser.
 */
export function iniSectionNames(text: string): string[] {
  const names: string[] = [];
  let current: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = (raw.split(/(?:^|\s)[;#]/)[0] ?? '').trim();
    if (line.startsWith('[') && line.endsWith(']')) {
      current = line.slice(1, -1).trim();
    } else if (current !== undefined && line.indexOf('=') > 0) {
      if (!names.includes(current)) names.push(current);
    }
  }
  return names;
}

/** The profile a config-file section defines, or undefined for other sections. */
function configProfile(section: string): string | undefined {
  if (section === 'default') return 'default';
  const m = /^profile\s+(["']?)(.+)\1$/.exec(section);
  return m?.[2]?.trim();
}

async function readIfPresent(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw new Error(`cannot read the AWS config file ${file}: ${(err as Error).message}`);
  }
}

/** Every profile of both files, `default` first, then by name; duplicates merged. */
export async function listAwsProfiles(
  env: NodeJS.ProcessEnv = process.env,
): Promise<AwsProfileList> {
  const files = awsConfigFiles(env);
  const [config, credentials] = await Promise.all([
    readIfPresent(files.configFile),
    readIfPresent(files.credentialsFile),
  ]);
  const names = new Set<string>();
  for (const section of iniSectionNames(config)) {
    const name = configProfile(section);
    if (name !== undefined) names.add(name);
  }
  for (const section of iniSectionNames(credentials)) names.add(section);
  const profiles = [...names]
    .filter((n) => PROFILE_NAME.test(n) && n !== '__proto__')
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return { profiles, ...files };
}
