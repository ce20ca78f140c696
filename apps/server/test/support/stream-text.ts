/** A streamed response body (SSE) read as text, as far as a test needs it: up to a condition, or to its end. */
export function streamText(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  /** False once the body has ended. */
  const readMore = async () => {
    const { value, done } = await reader.read();
    if (!done) text += decoder.decode(value, { stream: true });
    return !done;
  };
  return {
    async until(condition: (text: string) => boolean): Promise<string> {
      while (!condition(text) && (await readMore()));
      return text;
    },
    async toEnd(): Promise<string> {
      while (await readMore());
      return text;
    },
  };
}
