// The text of every message Alfa sends, in one place, so wording and formatting stay consistent.
import type { ExecutionMode } from './execution-mode.js';

export interface CommandHelp {
  readonly command: string;
  readonly description: string;
  readonly example: string;
}

/** Commands that exist today; /help lists exactly these, each with an example. */
export const COMMANDS: readonly CommandHelp[] = [
  { command: 'start', description: 'register with Alfa and see what it does', example: '/start' },
  { command: 'help', description: 'list every command with an example', example: '/help' },
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

export function helpMessage(): string {
  const lines = COMMANDS.map(
    (c) => `/${c.command} — ${escapeHtml(c.description)}\n    e.g. <code>${escapeHtml(c.example)}</code>`,
  );
  return ['<b>Alfa commands</b>', '', ...lines].join('\n');
}

/** Every message about copying carries the mode while the system is DRY. */
export function tagMode(text: string, mode: ExecutionMode): string {
  return mode === 'DRY' ? `${text} (DRY)` : text;
}
