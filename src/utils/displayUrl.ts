/** A URL as it may appear in logs and errors: no user name, password, query or fragment (they can hold secrets). */
export const displayUrl = (url: URL | string): string => {
  const parsed = typeof url === "string" ? safeParse(url) : url;
  return parsed ? `${parsed.protocol}//${parsed.host}${parsed.pathname}` : "(an invalid URL)";
};

const safeParse = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};
