// What a CLI touches outside itself, passed in so tests run the CLIs in-process: output streams,
// its environment and file reads. Only the entry files build one from `process`.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
}
