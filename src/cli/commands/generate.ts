export const registerGenerateCommand = (_p: import("commander").Command): void => {};
