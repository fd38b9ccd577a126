import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown.ts";

describe("renderMarkdown()", () => {
  it("renders headings, emphasis, lists and tables", () => {
    const html = renderMarkdown("# Title\n\nSome *text*.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<em>text</em>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<td>1</td>");
  });

  it("drops <script> elements and their content", () => {
    const html = renderMarkdown("Hello\n\n<script>alert('x')</script>\n\nafter");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("alert(");
    expect(html).toContain("after");
  });

  it("drops event handler attributes such as onerror", () => {
    const html = renderMarkdown('<img src="https://example.org/a.png" onerror="alert(1)">\n\n<p onclick="x()">p</p>');
    expect(html).not.toMatch(/onerror|onclick/i);
    expect(html).toContain('href="https://example.org/a.png"');
  });

  it("turns images on other hosts into links (no reader's browser fetches them) and keeps this node's own", () => {
    const html = renderMarkdown(
      '![Turnout chart](https://tracker.example/p.png?reader=1) ![](//tracker.example/q.png) <img src="http://tracker.example/r.png">\n\n![Local](/files/chart.png)',
    );
    expect(html).not.toMatch(/<img[^>]*tracker\.example/);
    expect(html).toContain(
      '<a href="https://tracker.example/p.png?reader=1" rel="noopener noreferrer nofollow">Turnout chart</a>',
    );
    expect(html).toContain(
      '<a href="http://tracker.example/r.png" rel="noopener noreferrer nofollow">http://tracker.example/r.png</a>',
    );
    expect(html).toContain('<img src="/files/chart.png" alt="Local" />');
  });

  it("removes javascript: URLs from Markdown and HTML links", () => {
    const html = renderMarkdown(
      '[click](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">b</a> <a href="java&#x09;script:alert(3)">c</a>',
    );
    expect(html).not.toMatch(/javascript/i);
    expect(html).toContain(">click</a>");
  });

  it("keeps safe links and marks them noopener", () => {
    const html = renderMarkdown("[WeGO](https://we-gov.org)");
    expect(html).toContain('href="https://we-gov.org"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it("drops iframes, styles and data: images", () => {
    const html = renderMarkdown(
      '<iframe src="https://e.org"></iframe><style>body{}</style><img src="data:image/png;base64,AAA">',
    );
    expect(html).not.toMatch(/iframe|<style|data:/i);
  });
});
