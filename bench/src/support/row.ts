/** One line of the results table. `pass` null means "no verdict" (not built, or informational). */
export interface Row {
  measure: string;
  result: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean | null;
  note?: string;
}

export function notBuilt(measure: string, target: string, what: string): Row {
  return { measure, result: "n/a (not built)", baseline: "", ratio: "", target, pass: null, note: `${what} is not in this tree yet` };
}

export function failed(measure: string, target: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { measure, result: "error", baseline: "", ratio: "", target, pass: false, note: message.split("\n")[0]!.slice(0, 200) };
}

export function renderTable(rows: Row[]): string {
  const header = "| measure | result | baseline | ratio | target | pass |\n|---|---|---|---|---|---|";
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = rows.map((r) => {
    const verdict = r.pass === null ? "-" : r.pass ? "pass" : "**FAIL**";
    return `| ${cell(r.measure)} | ${cell(r.result)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.target)} | ${verdict} |`;
  });
  return [header, ...lines].join("\n");
}
