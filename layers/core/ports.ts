// What the domain needs from the world. Adapters implement these; tests of domain use in-memory ones.
import type { User } from './domain/users.js';

export interface UserStore {
  /** Creates the user or refreshes their profile; says whether they are new. Reactivates a blocked user. */
  upsertFromStart(user: User, now: Date): Promise<{ readonly isNew: boolean }>;
  get(userId: string): Promise<User | undefined>;
  /** The user blocked the bot: stop sending to them. */
  markInactive(userId: string, now: Date): Promise<void>;
}

export interface Clock {
  now(): Date;
}
