// The command line: `npm run cli -- <command> [options]`. Each sub-command is one entry of
// the table below; exit codes are 0 (done), 1 (failed) and 2 (wrong arguments).
import { parseArgs } from 'node:util';
import { accountsAddCommand, accountsListCommand } from './accounts.js';
import { conflictsCommand, resolveCommand } from './conflicts.js';
import { foldersAddCommand, foldersListCommand } from './folders.js';
import { statusCommand } from './status.js';
import {
  EXIT_ERROR,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  type CliIo,
  type OptionValues,
  type SubCommand,
} from './sub-command.js';

const PROGRAM = 'npm run cli --';

// A name of two words is a group and its action: `accounts add`.
const commands: Record<string, SubCommand> = {
  status: statusCommand,
  conflicts: conflictsCommand,
  resolve: resolveCommand,
  'accounts add': accountsAddCommand,
  'accounts list': accountsListCommand,
  'folders add': foldersAddCommand,
  'folders list': foldersListCommand,
};

/** Splits the command name (one word, or a group and its action) from its arguments. */
function commandName(argv: string[]): { name: string | undefined; rest: string[] } {
  const [first, second, ...more] = argv;
  if (first !== undefined && second !== undefined && Object.hasOwn(commands, `${first} ${second}`))
    return { name: `${first} ${second}`, rest: more };
  return { name: first, rest: argv.slice(1) };
}

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `Run "${PROGRAM} <command> --help" for the options of a command.`,
    '',
  ].join('\n');
}

function commandHelp(name: string, c: SubCommand): string {
  const flags = Object.entries(c.options).map(([opt, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '';
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    return { flag: `${short}--${opt}${value}`, description: spec.description };
  });
  flags.push({ flag: '-h, --help', description: 'show this help' });
  const width = Math.max(...flags.map((f) => f.flag.length));
  return [
    `Usage: ${PROGRAM} ${name}${c.positionals ? ` ${c.positionals}` : ''} [options]`,
    '',
    `${c.summary[0]?.toUpperCase() ?? ''}${c.summary.slice(1)}.`,
    '',
    'Options:',
    ...flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.description}`),
    '',
  ].join('\n');
}

/** Runs one command line and returns its exit code; never throws. */
async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { name, rest } = commandName(argv);
  if (name === undefined) {
    io.stderr(overview());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commandName(rest).name : undefined;
    const c = topic === undefined ? undefined : commands[topic];
    if (topic !== undefined && !c) {
      io.stderr(`Unknown command "${topic}".\n\n${overview()}`);
      return EXIT_USAGE;
    }
    io.stdout(c && topic ? commandHelp(topic, c) : overview());
    return EXIT_OK;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    const actions = Object.keys(commands).filter((c) => c.startsWith(`${name} `));
    const said = actions.length > 0 ? `${name} ${rest[0] ?? ''}`.trim() : name;
    const hint = actions.length > 0 ? ` Use one of: ${actions.join(', ')}.` : '';
    io.stderr(`Unknown command "${said}".${hint}\n\n${overview()}`);
    return EXIT_USAGE;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: command.positionals !== '',
      options: {
        ...Object.fromEntries(
          Object.entries(command.options).map(([opt, spec]) => [
            opt,
            spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.stdout(commandHelp(name, command));
      return EXIT_OK;
    }
    return await command.run(values as OptionValues, positionals, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr(`${(err as Error).message}\n\n${commandHelp(name, command)}`);
      return EXIT_USAGE;
    }
    io.stderr(`replica-sync ${name}: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_ERROR;
  }
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
process.exitCode = await runCli(process.argv.slice(2), io);
