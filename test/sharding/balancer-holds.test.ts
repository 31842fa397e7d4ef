import { closeWindow, openWindow } from "../../sharding/balancer-holds";

const hold = (id: string, restart: boolean) => ({ _id: id, expiresAt: new Date(0), restart });

describe("openWindow", () => {
  it("stops a running balancer and takes the duty to start it again", () => {
    expect(openWindow({ mode: "full", otherLive: [], expired: [] })).toMatchObject({ stop: true, restart: true });
  });

  it("joins open windows, carrying their duty", () => {
    expect(openWindow({ mode: "off", otherLive: [hold("a", true)], expired: [] })).toMatchObject({ stop: false, restart: true });
    expect(openWindow({ mode: "off", otherLive: [hold("a", false)], expired: [] })).toMatchObject({ stop: false, restart: false });
  });

  it("takes over from a window that died with the balancer stopped", () => {
    const d = openWindow({ mode: "off", otherLive: [], expired: [hold("dead", true)] });
    expect(d).toMatchObject({ stop: false, restart: true });
    expect(d.why).toContain("dead");
  });

  it("leaves a balancer that someone else stopped stopped", () => {
    expect(openWindow({ mode: "off", otherLive: [], expired: [] })).toMatchObject({ stop: false, restart: false });
    expect(openWindow({ mode: "off", otherLive: [], expired: [hold("dead", false)] })).toMatchObject({ restart: false });
  });
});

describe("closeWindow", () => {
  it("the last window starts the balancer if it was running before", () => {
    expect(closeWindow({ own: hold("me", true), otherLive: [] })).toEqual(expect.objectContaining({ start: true, handOver: false }));
  });

  it("the last window leaves a balancer stopped that was stopped before", () => {
    expect(closeWindow({ own: hold("me", false), otherLive: [] })).toEqual(expect.objectContaining({ start: false, handOver: false }));
  });

  it("hands its duty to the windows still open instead of starting", () => {
    expect(closeWindow({ own: hold("me", true), otherLive: [hold("b", false)] })).toEqual(expect.objectContaining({ start: false, handOver: true }));
    expect(closeWindow({ own: hold("me", false), otherLive: [hold("b", false)] })).toEqual(expect.objectContaining({ start: false, handOver: false }));
  });

  it("does nothing when its lease expired and another window took it over", () => {
    expect(closeWindow({ own: null, otherLive: [] })).toEqual(expect.objectContaining({ start: false, handOver: false }));
  });
});
