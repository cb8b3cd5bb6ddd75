/**
 * The CLI speaks the person's language: `--lang zh-CN|en`, else SHIGUANG_LANG, else the system
 * locale (LC_ALL, LC_MESSAGES, LANG: zh* → Chinese, anything else → English; engine/util/locale.ts).
 * Chosen once, before the commands are registered (their help texts are built then), by reading
 * --lang from argv ahead of commander. `t` fills a catalogue entry (messages.ts);
 * `localiseCommander` makes commander's own words (headings, help option, parse errors) follow.
 */
import { Help, type Command, type Option } from 'commander';
import { languageOf, systemLanguage } from '../engine/util/locale.ts';
import { cliMessages, type CliLang, type CliMessageKey } from './messages.ts';

let current: CliLang = 'en';

/** --lang from the arguments (either `--lang X` or `--lang=X`), before commander parses them. */
export function langFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--lang') return argv[i + 1];
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return undefined;
}

/** Global options that take a value (their value is not the command). */
const VALUE_OPTIONS = new Set(['--db', '--model', '--provider', '--threads', '--lang']);

/** The command named on the command line (`index`, `serve`, …), before commander parses it. */
export function commandFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * How much of the engine's log a run shows on stderr, unless SHIGUANG_LOG says: the commands speak
 * through their progress, summaries, errors and (`watch`) a running account of what changed, in
 * the CLI's language, so only warnings and errors of the log (English, for bug reports) join them;
 * `serve` keeps the info lines too — its stderr is the log of a server, and the person reads the
 * web page.
 */
export function defaultLogLevel(argv: readonly string[]): 'info' | 'warn' {
  return commandFromArgv(argv) === 'serve' ? 'info' : 'warn';
}

/** The language for this run; throws on a --lang that is neither zh-CN nor en. */
export function resolveCliLanguage(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliLang {
  const asked = langFromArgv(argv);
  if (asked !== undefined) {
    const l = asked.trim().toLowerCase();
    if (l === 'zh-cn' || l === 'zh' || l === 'zh_cn') return 'zh-CN';
    if (l === 'en') return 'en';
    throw new Error(fill(cliMessages[systemLanguage(env)]['error.lang'], { value: asked }));
  }
  return languageOf(env.SHIGUANG_LANG) ?? systemLanguage(env);
}

export function setCliLanguage(lang: CliLang): void {
  current = lang;
}

export function cliLanguage(): CliLang {
  return current;
}

function fill(template: string, vars?: Record<string, string | number>): string {
  return vars ? template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : template;
}

export function t(key: CliMessageKey, vars?: Record<string, string | number>): string {
  return fill(cliMessages[current][key], vars);
}

/** Commander's own English errors, matched by shape and said again in the CLI's language. */
function localiseCommanderError(text: string): string {
  if (current === 'en') return text;
  const m = (re: RegExp): RegExpExecArray | null => re.exec(text);
  const suggestion = (s: string | undefined): string => (s ? t('error.didYouMean', { suggestion: s }) : '');
  let r: RegExpExecArray | null;
  let msg: string | null = null;
  if ((r = m(/^error: unknown option '([^']+)'(?:\n\(Did you mean (\S+)\?\))?/))) msg = t('error.unknownOption', { flag: r[1]! }) + suggestion(r[2]);
  else if ((r = m(/^error: unknown command '([^']+)'(?:\n\(Did you mean (\S+)\?\))?/))) msg = t('error.unknownCommand', { name: r[1]! }) + suggestion(r[2]);
  else if ((r = m(/^error: missing required argument '([^']+)'/))) msg = t('error.missingArgument', { name: r[1]! });
  else if ((r = m(/^error: required option '([^']+)' not specified/))) msg = t('error.missingOption', { flag: r[1]! });
  else if ((r = m(/^error: option '([^']+)' argument missing/))) msg = t('error.optionArgument', { flag: r[1]! });
  else if (m(/^error: too many arguments/)) msg = t('error.tooManyArguments');
  else if ((r = m(/^error: option '(\S+)[^']*' argument '([^']*)' is invalid\. Allowed choices are (.+)\./))) {
    msg = t('error.optionChoice', { flag: r[1]!, value: r[2]!, choices: r[3]!.split(', ').join('、') });
  }
  return msg === null ? text : `${t('error.prefix')}${msg}\n`;
}

/**
 * Commander's headings, help option, help command and "(default: …)" in the chosen language, and
 * its parse errors too. Call on the program before adding commands: commands inherit it.
 */
export function localiseCommander(program: Command): Command {
  const titles: Record<string, CliMessageKey> = {
    'Usage:': 'title.Usage:',
    'Options:': 'title.Options:',
    'Global Options:': 'title.Global Options:',
    'Commands:': 'title.Commands:',
    'Arguments:': 'title.Arguments:',
  };
  return program
    .helpOption('-h, --help', t('help.option'))
    .helpCommand('help [command]', t('help.command'))
    .configureHelp({
      styleTitle: (str: string) => (titles[str] ? t(titles[str]!) : str),
      // Commander's own text, with its "(default: …)" / "(choices: …)" said in the CLI's language.
      optionDescription(this: Help, option: Option): string {
        const text = Help.prototype.optionDescription.call(this, option);
        if (current === 'en') return text;
        const at = text.lastIndexOf(' (');
        if (at < 0 || !text.endsWith(')') || !/(^|, )(default|choices): /.test(text.slice(at + 2))) return text;
        const extra = text
          .slice(at + 2, -1)
          .replace(/(^|, )default: /g, (_m, sep: string) => `${sep ? '，' : ''}${t('help.defaultWord')}`)
          .replace(/(^|, )choices: /g, (_m, sep: string) => `${sep ? '，' : ''}${t('help.choicesWord')}`);
        return `${text.slice(0, at)}（${extra}）`;
      },
    })
    .configureOutput({ outputError: (str, write) => write(localiseCommanderError(str)) });
}
