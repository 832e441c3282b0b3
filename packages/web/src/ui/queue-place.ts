/** A place in the sandbox queue as people say it: "next in line", "3rd in line". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

export function queuePlace(position: number): string {
  return position === 1 ? "next in line" : `${ordinal(position)} in line`;
}
