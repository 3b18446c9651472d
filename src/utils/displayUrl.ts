/** A URL as it may appear in logs and errors: no user name, password, query or fragment (they can hold secrets). */
export const displayUrl = (url: URL | string): string => {
  const parsed = typeof url === "string" ? safeParse(url) : url;
  if (!parsed) return "(an invalid URL)";
  // "user:password@host" parses as a URL with the scheme "user:": only http(s) URLs are shown, nothing else is.
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `(a ${parsed.protocol} URL, not shown)`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
};

const safeParse = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};
