/**
 * Replaces every occurrence of each secret in `text` with `[redacted]`. A last line of defence for text that comes
 * from elsewhere (an STS error message, a proxy's error body) before it goes into an error or a log line.
 * Secrets shorter than 4 characters are ignored: they would redact ordinary words.
 */
export const redactSecrets = (text: string, secrets: readonly (string | undefined)[]): string => {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
};

/** Text from a remote server, made safe to quote in one line: control characters removed, length capped. */
export const quoteRemoteText = (text: string, maxLength = 400): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength)}…` : oneLine;
};
