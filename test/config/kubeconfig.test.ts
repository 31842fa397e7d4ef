import { environments } from "../../config/environments";
import { HOME_KUBECONFIG, ignoredContextWarning, userKubeconfig } from "../../config/kubeconfig";
import { clusterAccess } from "../../stacks/cluster-access";

const exists = (files: string[]) => (f: string) => files.includes(f);

describe("the user's kubeconfig (what kubectl would use)", () => {
  it("is KUBECONFIG, a list of files in order, empty entries skipped", () => {
    expect(userKubeconfig({ KUBECONFIG: "/home/a/.kube/eu.yaml", HOME: "/home/a" }, exists([]))).toEqual({ paths: ["/home/a/.kube/eu.yaml"], from: "KUBECONFIG" });
    expect(userKubeconfig({ KUBECONFIG: "/k/a::/k/b:", HOME: "/home/a" }, exists(["/home/a/.kube/config"]))).toEqual({ paths: ["/k/a", "/k/b"], from: "KUBECONFIG" });
  });

  it("is ~/.kube/config when KUBECONFIG is unset or empty and the file exists (written with ~ for the provider to expand)", () => {
    expect(userKubeconfig({ HOME: "/home/a" }, exists(["/home/a/.kube/config"]))).toEqual({ paths: [HOME_KUBECONFIG], from: "~/.kube/config" });
    expect(userKubeconfig({ KUBECONFIG: "", HOME: "/home/a" }, exists(["/home/a/.kube/config"]))).toEqual({ paths: ["~/.kube/config"], from: "~/.kube/config" });
  });

  it("is none where there is none (a pod: the provider's in-cluster config), or when the provider's own variables choose", () => {
    expect(userKubeconfig({ HOME: "/home/a" }, exists([]))).toBeUndefined();
    expect(userKubeconfig({}, exists(["/.kube/config"]))).toBeUndefined();
    expect(userKubeconfig({ KUBECONFIG: "/k/a", KUBE_CONFIG_PATH: "/k/b" }, exists([]))).toBeUndefined();
    expect(userKubeconfig({ KUBECONFIG: "/k/a", KUBE_CONFIG_PATHS: "/k/b:/k/c" }, exists([]))).toBeUndefined();
    expect(userKubeconfig({ HOME: "/home/a", KUBE_HOST: "https://10.0.0.1" }, exists(["/home/a/.kube/config"]))).toBeUndefined();
  });
});

describe("kubernetes.configContext without a kubeconfig", () => {
  it("is reported as ignored (provider 2.38 applies a context only with a path), and only then", () => {
    expect(ignoredContextWarning("eu", undefined, undefined, {})).toBe(
      'kubernetes.configContext: "eu" is ignored: no kubeconfig to pick it from (no kubernetes.configPath, KUBECONFIG, ~/.kube/config or KUBE_CONFIG_PATH)',
    );
    expect(ignoredContextWarning("eu", "/k/a", undefined, {})).toBeUndefined();
    expect(ignoredContextWarning("eu", undefined, { paths: ["/k/a"], from: "KUBECONFIG" }, {})).toBeUndefined();
    expect(ignoredContextWarning("eu", undefined, undefined, { KUBE_CONFIG_PATH: "/k/b" })).toBeUndefined();
    expect(ignoredContextWarning(undefined, undefined, undefined, {})).toBeUndefined();
  });
});

describe("how the provider and the state backend reach the cluster", () => {
  const dev = environments.dev;
  const withKube = (k: Partial<typeof dev.kubernetes>) => ({ ...dev, kubernetes: { ...dev.kubernetes, ...k } });

  it("the user's kubeconfig: one file is config_path, several are config_paths (they conflict in provider 2.38)", () => {
    expect(clusterAccess(dev, ["~/.kube/config"])).toEqual({ configPath: "~/.kube/config" });
    expect(clusterAccess(dev, ["/k/a", "/k/b"])).toEqual({ configPaths: ["/k/a", "/k/b"] });
    expect(clusterAccess(withKube({ configContext: "eu" }), ["/k/a"])).toEqual({ configPath: "/k/a", configContext: "eu" });
  });

  it("kubernetes.configPath and configContext in the config override it", () => {
    expect(clusterAccess(withKube({ configPath: "/etc/kube/ci.yaml", configContext: "ci" }), ["/k/a", "/k/b"])).toEqual({ configPath: "/etc/kube/ci.yaml", configContext: "ci" });
  });

  it("nothing: the provider's own defaults (KUBE_* variables, in-cluster)", () => {
    expect(clusterAccess(dev)).toEqual({});
  });
});
