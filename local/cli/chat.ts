// `npm run chat -- [--as <telegram user id>] [--name <first name>] [--admin]`: a terminal chat with the
// bot of the running local stack. Typed lines go to the webhook as Telegram updates; what the bot
// sends (replies, edits, toasts, alerts) is polled from the Bot API stand-in and shown as it comes.
import { stat } from 'node:fs/promises';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { ChatClient, ChatError, STACK_FILE, adminIds, readStackFile, type Observed } from './chat/client.js';
import { helpLines, renderEvent } from './chat/render.js';
import { parseInput, type ChatUser } from './chat/session.js';

const USAGE = 'usage: npm run chat -- [--as <telegram user id>] [--name <first name>] [--admin]';
const POLL_MS = 300;

class UsageError extends Error {}

const style = process.stdout.isTTY && !process.env.NO_COLOR ? 'ansi' : 'plain';
const paint = (code: string, text: string) => (style === 'ansi' ? `\u001b[${code}m${text}\u001b[0m` : text);
const dim = (text: string) => paint('2', text);

function parseUser(argv: string[], admins: () => Promise<number[]>): Promise<ChatUser & { admin: boolean }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      as: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  if (values.admin && values.as !== undefined) throw new UsageError('use either --as or --admin, not both');
  const name = values.name?.trim();
  if (name === '') throw new UsageError('--name must not be empty');
  return (async () => {
    if (values.admin) {
      const [id] = await admins();
      if (id === undefined) {
        throw new ChatError(
          'The running stack has no admin (ADMIN_USER_IDS is empty). Restart it with `ADMIN_USER_IDS=<id> npm start`, e.g. ADMIN_USER_IDS=1001.',
        );
      }
      return { id, firstName: name ?? 'Admin', admin: true };
    }
    const id = Number(values.as ?? '1001');
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new UsageError(`--as must be a positive whole number (a Telegram user id), got "${values.as}"`);
    }
    return { id, firstName: name ?? 'Ada', admin: false };
  })();
}

/** When the chat already has bot messages (an earlier session), says so and what N would press. */
function resumed(client: ChatClient, earlier: number): string[] {
  if (earlier === 0) return [];
  const latest = client.session.latestWithButtons();
  const buttons = latest ? `; N presses button N of #${latest.messageId}` : '';
  return [dim(`  (${earlier} earlier bot message${earlier === 1 ? '' : 's'} in this chat${buttons})`)];
}

async function main(): Promise<number> {
  let stack: Awaited<ReturnType<typeof readStackFile>> | undefined;
  const loadStack = async () => (stack ??= await readStackFile());
  const user = await parseUser(process.argv.slice(2), async () => adminIds(await loadStack()));
  let { client, earlier } = await ChatClient.connect(await loadStack(), { user });
  let stackMtime = (await stat(STACK_FILE).catch(() => undefined))?.mtimeMs;

  const interactive = process.stdin.isTTY === true;
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: interactive,
  });
  rl.setPrompt(paint('1;32', `${user.firstName} › `));
  let raw = false;
  let closed = false;

  /** Prints above the prompt, then redraws the prompt with whatever the person had typed. */
  const print = (lines: readonly string[]) => {
    if (lines.length === 0) return;
    if (interactive && !closed) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (interactive && !closed) rl.prompt(true);
  };
  let shownCalls = 0;
  const show = (observed: readonly Observed[]) => {
    const width = process.stdout.columns;
    shownCalls += observed.filter((o) => o.events.length > 0).length;
    print(
      observed.flatMap(({ call, events }) => [
        ...(raw ? [dim(`← ${JSON.stringify(call)}`)] : []),
        ...events.flatMap((e) => renderEvent(e, { style, ...(width ? { width } : {}) })),
      ]),
    );
  };

  print([
    `Chatting with the local Alfa bot as ${user.firstName} (user id ${user.id}${user.admin ? ', admin' : ''}).`,
    ...helpLines().map((l) => dim(`  ${l}`)),
    ...resumed(client, earlier),
  ]);

  // The poller: what the bot sends shows up as it comes, alerts included.
  let lost = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const mtime = (await stat(STACK_FILE).catch(() => undefined))?.mtimeMs;
      // A stack coming up answers before it writes its file: wait for the file to know which stack it is.
      if (mtime === undefined && lost) return;
      if (mtime !== undefined && mtime !== stackMtime) {
        const fresh = await readStackFile();
        stackMtime = mtime;
        if (fresh.webhook.secret !== client.stack.webhook.secret) {
          ({ client, earlier } = await ChatClient.connect(fresh, { user }));
          print([
            dim('(the local stack was restarted: connected to the new one; earlier messages are gone)'),
          ]);
          lost = false;
        }
      }
      show(await client.poll());
      if (lost) print([dim('(the local stack answers again)')]);
      lost = false;
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      if (!lost) print([paint('31', `${err.message} Waiting for it...`)]);
      lost = true;
    }
  };
  const schedule = () => {
    timer = setTimeout(() => void tick().finally(() => !closed && schedule()), POLL_MS);
  };
  schedule();

  /** The webhook handles an update before it answers, so silence by then means the bot had nothing to say. */
  const noReply = (ignored: string | undefined, shownBefore: number) => {
    if (ignored) print([dim(`(the webhook acknowledged it without handling it: ${ignored})`)]);
    else if (shownCalls === shownBefore) print([dim('(no reply)')]);
  };

  // Lines are handled one at a time, in order, even when pasted or piped in faster than the bot answers.
  let work: Promise<void> = Promise.resolve();
  const handle = async (line: string) => {
    const input = parseInput(line);
    // Piped input is not echoed by a terminal; show it so the output reads as a conversation.
    if (!interactive && input.kind !== 'empty') print([`${user.firstName} › ${line}`]);
    try {
      switch (input.kind) {
        case 'empty':
          break;
        case 'quit':
          rl.close();
          return;
        case 'raw':
          raw = !raw;
          print([dim(`(raw JSON ${raw ? 'on: → updates sent, ← Bot API calls made' : 'off'})`)]);
          break;
        case 'help':
          print(helpLines().map((l) => dim(`  ${l}`)));
          break;
        case 'text': {
          const before = shownCalls;
          const sent = await client.send(input.text);
          if (raw) print([dim(`→ ${JSON.stringify(sent.update)}`)]);
          show(await client.poll());
          noReply(sent.ignored, before);
          break;
        }
        case 'press': {
          const before = shownCalls;
          const pressed = await client.press(input.button, input.messageId);
          print([
            dim(`(pressed [${input.button}] ${pressed.text} on #${pressed.messageId})`),
            ...(raw ? [dim(`→ ${JSON.stringify(pressed.update)}`)] : []),
          ]);
          show(await client.poll());
          noReply(pressed.ignored, before);
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      print([paint('31', err.message)]);
    }
    if (interactive && !closed) rl.prompt();
  };
  rl.on('line', (line) => {
    work = work.then(() => handle(line));
  });
  rl.on('SIGINT', () => rl.close());

  await new Promise<void>((resolve) =>
    rl.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  clearTimeout(timer);
  await work;
  if (!interactive) {
    // Piped input: wait for the last answers (and any alerts) until the bot has been quiet a moment.
    const until = Date.now() + 5_000;
    let quietSince = Date.now();
    while (Date.now() < until && Date.now() - quietSince < 1_000) {
      const observed = await client.poll();
      if (observed.length > 0) quietSince = Date.now();
      show(observed);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } else {
    process.stdout.write('\n');
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`);
      process.exit(err.message ? 2 : 0);
    }
    if (err instanceof ChatError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    // parseArgs rejects unknown or malformed options with a TypeError carrying a code.
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
