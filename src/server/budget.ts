/**
 * The server's memory budget: how many bytes of messages it may hold for clients that have not taken
 * them yet, over all clients together. Per-client limits alone do not bound a server: one message can
 * be as large as `--max-payload` (a deflate bomb of 100 KB on the wire inflates to 99 MiB), so
 * sixteen clients that each send one and never read the echo would hold 1.6 GiB.
 *
 * Counted here: what one client caused and only it will read (an echo of 64 KiB or more, an echo
 * waiting for `--delay`), every compressed copy (one per client: a broadcast compressed for N clients
 * is N copies), and what the command says it holds besides (`listen`: output not yet written to
 * stdout). Not counted: an uncompressed message sent to several clients, which is one buffer shared by
 * all their sockets and is bounded per client (SLOW_CONSUMER_BYTES), and small echoes, bounded per
 * client by BACKLOG_HIGH_BYTES. When a large message does not fit, `makeRoom` drops the clients
 * holding the most. No sockets here: clients are reached through `BudgetHolder`.
 */

/** Messages below this size are not checked against the budget (per-client limits bound them). */
export const BUDGET_CHECK_MIN_BYTES = 64 * 1024;

const MiB = 1024 * 1024;

/** A client that holds less than this is never dropped for the budget (it is reading, or nearly). */
export const BUDGET_HOLDER_MIN_BYTES = MiB;

/** The default budget: 2.5 × --max-payload (250 MiB for the default 100 MiB), at least 64 MiB. */
export function budgetFor(maxPayload: number): number {
  return Math.max(64 * MiB, Math.ceil(2.5 * maxPayload));
}

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

export class MemoryBudget {
  private tracked = 0;

  constructor(
    readonly limit: number,
    /** Bytes held outside the clients' accounts (output not yet written); read when checking. */
    public external: () => number = () => 0,
  ) {}

  get held(): number {
    return this.tracked + this.external();
  }

  fits(bytes: number): boolean {
    return this.held + bytes <= this.limit;
  }

  take(bytes: number): void {
    this.tracked += bytes;
  }

  give(bytes: number): void {
    this.tracked -= bytes;
  }
}

/** What the budget needs of a client (a ServerClient). */
export interface BudgetHolder {
  readonly heldBytes: number;
  /** Dropped at once: what it holds is given back to the budget. */
  dropForBudget(limit: number): void;
  /** Its message is not kept; it is closed (1013). */
  refuseForBudget(size: number): void;
}

/**
 * A message of `size` bytes from `sender` is about to be kept (echoed, delayed, printed). If the budget
 * cannot take it, the clients holding the most (at least BUDGET_HOLDER_MIN_BYTES each: the ones not
 * reading) are dropped, biggest first, until it can; if it still cannot, the message is refused and
 * its sender closed. False when the message must not be used (refused, or its sender was dropped).
 */
export function makeRoom<C extends BudgetHolder>(
  budget: MemoryBudget,
  clients: Iterable<C>,
  sender: C,
  size: number,
): boolean {
  const all = [...clients];
  while (!budget.fits(size)) {
    let biggest: C | undefined;
    for (const client of all) {
      if (client.heldBytes >= BUDGET_HOLDER_MIN_BYTES && client.heldBytes > (biggest?.heldBytes ?? 0)) biggest = client;
    }
    if (!biggest) {
      sender.refuseForBudget(size);
      return false;
    }
    all.splice(all.indexOf(biggest), 1);
    biggest.dropForBudget(budget.limit);
    if (biggest === sender) return false;
  }
  return true;
}
