// The redactor on its own: encoded forms, overlapping values, masked values, deep copies.
import { describe, expect, it } from "vitest";
import { MASK, Redactor } from "../runtime/redact.js";

describe("Redactor", () => {
  it("is a no-op with nothing to hide and returns the same object", () => {
    const r = new Redactor();
    const event = { a: "x" };
    expect(r.deep(event)).toBe(event);
  });

  it("hides a secret raw and percent-, form- and JSON-encoded", () => {
    const r = new Redactor();
    r.addSecret('a b&"c/é');
    for (const form of [
      'a b&"c/é',
      "a%20b%26%22c%2F%C3%A9",
      "a+b%26%22c%2F%C3%A9",
      'a b&\\"c/é',
      "a%20b&%22c/%C3%A9",
    ]) {
      expect(r.text(`[${form}]`)).toBe(`[${MASK}]`);
    }
  });

  it("replaces the longest value first when one secret contains another", () => {
    const r = new Redactor();
    r.addSecret("abc");
    r.addSecret("xxabcxx");
    expect(r.text("1 xxabcxx 2 abc")).toBe(`1 ${MASK} 2 ${MASK}`);
  });

  it("treats regular-expression characters literally", () => {
    const r = new Redactor();
    r.addSecret("a.*b");
    expect(r.text("aXXb a.*b")).toBe(`aXXb ${MASK}`);
  });

  it("searches masked strings of 4+ characters, including inside JSON values, but not short ones", () => {
    const r = new Redactor();
    r.addMasked("4242");
    r.addMasked("42");
    r.addMasked({ card: { pan: "4111111111111111" }, n: 7 });
    expect(r.text("card 4242 port 42 pan 4111111111111111 n 7")).toBe(`card ${MASK} port 42 pan ${MASK} n 7`);
  });

  it("copies objects deeply, redacting keys and values, leaving numbers alone", () => {
    const r = new Redactor();
    r.addSecret("s3cret");
    const input = { s3cret: ["x s3cret", 5, null, { deep: "s3cret" }], ok: true };
    expect(r.deep(input)).toEqual({ [MASK]: [`x ${MASK}`, 5, null, { deep: MASK }], ok: true });
    expect(input.s3cret[0]).toBe("x s3cret");
  });

  it("accepts a value with a lone surrogate without throwing", () => {
    const r = new Redactor();
    r.addSecret("ab\uD800cd");
    expect(r.text("xab\uD800cdx")).toBe(`x${MASK}x`);
  });
});
