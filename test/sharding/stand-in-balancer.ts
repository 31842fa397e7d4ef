// A stand-in for what balancer.js talks to through mongos: the balancer's mode (balancerStatus,
// balancerStop, balancerStart) and the leases collection, with just the filters the script uses.
// Server calls can hand their results back as promises that mongosh's async rewriter awaits.
// It is not a MongoDB server and claims nothing more.

export interface Hold {
  _id: string;
  since: Date;
  expiresAt: Date;
  restart: boolean;
}
type Filter = Record<string, unknown>;

/** Enough of a collection for the filters balancer.js uses: _id equality/$ne/$in, expiresAt $gt/$lte. */
function matches(doc: Hold, filter: Filter): boolean {
  return Object.entries(filter).every(([field, cond]) => {
    const value = doc[field as keyof Hold] as unknown;
    if (cond === null || typeof cond !== "object" || cond instanceof Date) return value === cond;
    const c = cond as Record<string, unknown>;
    if ("$ne" in c) return value !== c.$ne && Object.keys(c).length === 1;
    if ("$in" in c) return (c.$in as unknown[]).includes(value);
    const t = (value as Date).getTime();
    if ("$gt" in c) return t > (c.$gt as Date).getTime();
    if ("$lte" in c) return t <= (c.$lte as Date).getTime();
    throw new Error(`stand-in: unsupported filter ${JSON.stringify(filter)}`);
  });
}

export class StandInCluster {
  mode: "full" | "off" = "full";
  rounds: boolean[] = [];
  holds: Hold[] = [];
  commands: string[] = [];

  constructor(private readonly reply: <T>(value: T) => T = (value) => value) {}

  admin() {
    return {
      auth: () => this.reply({ ok: 1 }),
      runCommand: (command: Record<string, unknown>) => this.reply(this.run(Object.keys(command)[0])),
    };
  }

  private run(name: string): Record<string, unknown> {
    this.commands.push(name);
    if (name === "balancerStatus") return { ok: 1, mode: this.mode, inBalancerRound: this.rounds.shift() ?? false };
    if (name === "balancerStop") this.mode = "off";
    else if (name === "balancerStart") this.mode = "full";
    else return { ok: 0, errmsg: `no such command ${name}` };
    return { ok: 1 };
  }

  collection() {
    const reply = this.reply;
    const copy = (h: Hold) => ({ ...h });
    return {
      insertOne: (doc: Hold) => {
        if (this.holds.some((h) => h._id === doc._id)) throw new Error("E11000 duplicate key");
        this.holds.push(copy(doc));
        return reply({ acknowledged: true });
      },
      findOne: (filter: Filter) => reply(this.holds.filter((h) => matches(h, filter)).map(copy)[0] ?? null),
      find: (filter: Filter) => ({ toArray: () => reply(this.holds.filter((h) => matches(h, filter)).map(copy)) }),
      deleteOne: (filter: Filter) => {
        const i = this.holds.findIndex((h) => matches(h, filter));
        if (i >= 0) this.holds.splice(i, 1);
        return reply({ deletedCount: i >= 0 ? 1 : 0 });
      },
      deleteMany: (filter: Filter) => {
        this.holds = this.holds.filter((h) => !matches(h, filter));
        return reply({ acknowledged: true });
      },
      updateOne: (filter: Filter, update: { $set: Partial<Hold> }) => {
        const h = this.holds.find((x) => matches(x, filter));
        if (h) Object.assign(h, update.$set);
        return reply({ acknowledged: true });
      },
      updateMany: (filter: Filter, update: { $set: Partial<Hold> }) => {
        this.holds.filter((x) => matches(x, filter)).forEach((h) => Object.assign(h, update.$set));
        return reply({ acknowledged: true });
      },
    };
  }
}

