import { dataLossRefusal } from "../../../migrations/runner/live-state";

describe("dropping a collection", () => {
  it("is allowed when the collection is empty", () => {
    expect(dataLossRefusal("migrations/0005-create-organizations.ts", "organizations", false)).toBeUndefined();
  });

  it("is refused when it holds documents, naming the file and the collection", () => {
    expect(dataLossRefusal("migrations/0002-create-tests.ts", "tests", true)).toBe(
      'migrations/0002-create-tests.ts: collection "tests" holds documents; dropping it loses them. Pass --allow-data-loss to drop it anyway. Nothing was sent',
    );
  });

  it("is refused when the user may not read the collection to check", () => {
    expect(dataLossRefusal("migrations/0003-create-results.ts", "results", "unknown")).toMatch(/may hold documents \(this user may not read it to check\)/);
  });
});
