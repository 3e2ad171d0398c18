// Construct ids from definition keys: 'telegram-webhook' -> 'TelegramWebhook', 'users' -> 'Users'.
export const pascal = (key: string): string =>
  key
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
