import { supportsTransactions } from "../../../migrations/runner/deployment";

describe("transactions need a replica set or mongos", () => {
  it("reads the hello reply", () => {
    expect(supportsTransactions({ isWritablePrimary: true, setName: "rs0", hosts: ["db-0:27017"] })).toBe(true);
    expect(supportsTransactions({ isWritablePrimary: true, msg: "isdbgrid" })).toBe(true);
    expect(supportsTransactions({ isWritablePrimary: true, maxWireVersion: 21 })).toBe(false);
  });
});
