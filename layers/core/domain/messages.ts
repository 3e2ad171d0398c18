// The text of every message Alfa sends, in one place, so wording and formatting stay consistent.
import type { ExecutionMode } from './execution-mode.js';

export interface CommandHelp {
  readonly command: string;
  readonly description: string;
  readonly example: string;
}

const EXAMPLE_TRADER = '0x5a3a245e0523b2728ec8d914358e33671e27872d';

/** Every user command; /help lists exactly these, each with an example. */
export const COMMANDS: readonly CommandHelp[] = [
  { command: 'start', description: 'register with Alfa and see what it does', example: '/start' },
  { command: 'help', description: 'list every command with an example', example: '/help' },
  {
    command: 'alfa',
    description: 'the leaderboard (top 50 by default), with Follow buttons',
    example: '/alfa top20',
  },
  {
    command: 'trader',
    description: "one trader's stats and recent trades",
    example: `/trader ${EXAMPLE_TRADER}`,
  },
  {
    command: 'follow',
    description: 'get alerts when a trader opens or closes',
    example: `/follow ${EXAMPLE_TRADER}`,
  },
  {
    command: 'backtest',
    description: 'what copying a trader would have returned with your settings (7 or 30 days)',
    example: `/backtest ${EXAMPLE_TRADER} size 50 days 7`,
  },
  { command: 'unfollow', description: 'stop following a trader', example: `/unfollow ${EXAMPLE_TRADER}` },
  {
    command: 'following',
    description: 'the traders you follow, each with its settings',
    example: '/following',
  },
  {
    command: 'set',
    description: 'change one copy setting of a follow',
    example: `/set ${EXAMPLE_TRADER} size 50`,
  },
  {
    command: 'settings',
    description: 'pause, risk profile and your caps',
    example: '/settings dailyloss 200',
  },
  {
    command: 'wallet',
    description: 'link the wallet copies trade from, and check it',
    example: '/wallet 0xYourWalletAddress',
  },
  {
    command: 'portfolio',
    description: "your wallet's open positions and realized PnL",
    example: '/portfolio',
  },
  {
    command: 'copies',
    description: 'your last copies and what each returned, per trader',
    example: '/copies',
  },
  { command: 'pause', description: 'pause all alerts and copies', example: '/pause' },
  { command: 'resume', description: 'resume alerts and copies', example: '/resume' },
];

/** Admin commands (ADMIN_USER_IDS only); shown in /help to admins. */
export const ADMIN_COMMANDS: readonly CommandHelp[] = [
  { command: 'copy', description: 'switch copy execution DRY or LIVE', example: '/copy mode LIVE' },
  {
    command: 'emergency',
    description: 'stop or restart all copy execution at once',
    example: '/emergency stop',
  },
  {
    command: 'autocopy_off_all',
    description: 'turn Auto copy off on every follow',
    example: '/autocopy_off_all',
  },
  {
    command: 'status',
    description: 'mode, emergency flag, indexer lag, queues, last errors',
    example: '/status admin',
  },
  { command: 'health', description: 'a quick check of every dependency', example: '/health' },
  { command: 'recent_errors', description: 'the last recorded errors', example: '/recent_errors' },
];

/** Telegram HTML needs these three escaped in any text we did not write ourselves. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function welcomeMessage(firstName: string, isNew: boolean): string {
  const hello = isNew
    ? `Welcome to Alfa, ${escapeHtml(firstName)}!`
    : `Welcome back, ${escapeHtml(firstName)}!`;
  return [
    `<b>${hello}</b>`,
    '',
    'Alfa watches every Avantis trade on Base, ranks the traders by realized PnL and consistency, ' +
      'and alerts you the moment a trader you follow opens or closes a position.',
    '',
    'Send /help to see every command.',
  ].join('\n');
}

const helpLines = (commands: readonly CommandHelp[]) =>
  commands.map(
    (c) => `/${c.command} — ${escapeHtml(c.description)}\n    e.g. <code>${escapeHtml(c.example)}</code>`,
  );

export function helpMessage(isAdmin = false): string {
  return [
    '<b>Alfa commands</b>',
    '',
    ...helpLines(COMMANDS),
    ...(isAdmin ? ['', '<b>Admin</b>', '', ...helpLines(ADMIN_COMMANDS)] : []),
  ].join('\n');
}

/** Every message about copying carries the mode while the system is DRY. */
export function tagMode(text: string, mode: ExecutionMode): string {
  return mode === 'DRY' ? `${text} (DRY)` : text;
}
