/**
 * Which of the bridge's two routes a path is, matched as Express matches `router.get(path)` by
 * default: the whole path, letters in any case, one trailing slash allowed (after a path other
 * than `/`, where Express 4 and 5 differ and the stricter is kept). Configured paths are
 * plain (letters, digits and `._~-/`, checked by the options), so there is nothing else to match.
 */
export function routeMatcher(paths: { start: string; callback: string }): (pathname: string) => 'start' | 'callback' | undefined {
  const start = paths.start.toLowerCase();
  const callback = paths.callback.toLowerCase();
  return (pathname) => {
    // `//` is not `/` with a trailing slash: Express 4 does not route it to `/` (Express 5 does).
    const bare = pathname.length > 2 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
    if (bare.length === start.length && bare.toLowerCase() === start) return 'start';
    if (bare.length === callback.length && bare.toLowerCase() === callback) return 'callback';
    return undefined;
  };
}
