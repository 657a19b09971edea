// Command-line flags of the scripts that fine-tune the demo models: `--name` switches and
// `--name value` options, refusing unknown ones by name (the script's header lists them).
export function scriptOptions(script: string, known: readonly string[]) {
  const argv = process.argv.slice(2);
  for (const a of argv) if (a.startsWith('--') && !known.includes(a)) throw new Error(`unknown option ${a} (see the header of scripts/${script})`);
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  return {
    flag: (name: string) => argv.includes(name),
    option,
    numberOption(name: string, fallback: number): number {
      const v = option(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${name} ${v} is not a number`);
      return n;
    },
  };
}
