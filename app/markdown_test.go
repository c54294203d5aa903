package app

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// forbidden must not appear in rendered Markdown: not in any tag or attribute
// (checked after entity decoding, as a browser reads them) and, for the ones
// that open a tag, nowhere in the output at all.
var forbidden = []string{"<script", "javascript:", "onerror", "onclick", "onload",
	"<svg", "<iframe", "<style", "data:text", "vbscript"}

// assertInert fails when out carries anything executable. Text between tags
// is inert once escaped: "<" in it arrives as "&lt;", so the tag-opening
// needles are checked on the raw output; the others (e.g. "javascript:") are
// checked in tag names, attribute names and decoded attribute values, since
// a written-out word in the text is harmless and stays visible on purpose.
func assertInert(t *testing.T, in string, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	for _, f := range forbidden {
		if strings.HasPrefix(f, "<") && strings.Contains(lower, f) {
			t.Errorf("renderMarkdown(%q) = %q contains %q", in, out, f)
		}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt == html.CommentToken {
			t.Errorf("renderMarkdown(%q) = %q keeps a comment", in, out)
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		markup := tok.Data
		for _, a := range tok.Attr {
			markup += " " + a.Key + "=" + a.Val
			if strings.HasPrefix(strings.ToLower(a.Key), "on") || a.Key == "style" {
				t.Errorf("renderMarkdown(%q) = %q keeps attribute %q", in, out, a.Key)
			}
		}
		markup = strings.ToLower(markup)
		for _, f := range forbidden {
			if strings.Contains(markup, strings.TrimPrefix(f, "<")) {
				t.Errorf("renderMarkdown(%q) = %q: tag %q contains %q", in, out, markup, f)
			}
		}
	}
}

func TestMarkdownXSSCorpus(t *testing.T) {
	corpus := []string{
		`<script>alert(1)</script>`,
		`[x](javascript:alert(1))`,
		`[x](JAVASCRIPT:alert(1))`,
		`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`![x](javascript:alert(1))`,
		`<img src=x onerror=alert(1)>`,
		`<a href="#" onclick="alert(1)">x</a>`,
		`<svg onload=alert(1)>`,
		`<svg><script>alert(1)</script></svg>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<style>body{}</style>`,
		`<div style="background:url(javascript:alert(1))">`,
		`[x](vbscript:msgbox(1))`,
		`<javascript:alert(1)>`,
		`javascript:alert(1)`,
		`[x](&#106;avascript:alert(1))`,
		`<a href="java\tscript:alert(1)">x</a>`,
		"<a href=\"java\tscript:alert(1)\">x</a>",
		// Variations around the same ideas.
		"Text <script>alert(1)</script> inline",
		"Text <img src=x onerror=alert(1)> inline",
		`[x](  javascript:alert(1)  )`,
		`[x](<javascript:alert(1)>)`,
		`[x](java&#x09;script:alert(1))`,
		`[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
		`![x](data:image/png;base64,iVBORw0KGgo=)`,
		`![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`[x]: javascript:alert(1)` + "\n\n[x]",
		"```html\n<script>alert(1)</script>\n```",
		"`<script>alert(1)</script>`",
		"<details open ontoggle=alert(1)>",
		"<!-- <script>alert(1)</script> -->",
		"| a |\n|---|\n| <img src=x onerror=alert(1)> |",
		"- [x] <svg onload=alert(1)>",
	}
	for _, in := range corpus {
		assertInert(t, in, string(renderMarkdown(in)))
		if got := markdownPlain(in, 200); strings.Contains(strings.ToLower(got), "<script") && !strings.Contains(in, "`") {
			// markdownPlain is escaped by the template; this only guards
			// that raw HTML is not passed on as text either.
			t.Errorf("markdownPlain(%q) = %q", in, got)
		}
	}
}

func TestMarkdownDangerousLinksLoseAnchor(t *testing.T) {
	for _, in := range []string{`[x](javascript:alert(1))`, `[x](vbscript:msgbox(1))`, `[x](&#106;avascript:alert(1))`, `[x](file:///etc/passwd)`} {
		out := string(renderMarkdown(in))
		if out != "<p>x</p>\n" {
			t.Errorf("renderMarkdown(%q) = %q, want the bare text", in, out)
		}
	}
}

func TestMarkdownNoDataImages(t *testing.T) {
	out := string(renderMarkdown(`![x](data:image/png;base64,iVBORw0KGgo=)`))
	if strings.Contains(out, "data:") || strings.Contains(out, "src=") {
		t.Errorf("data: image kept: %q", out)
	}
	out = string(renderMarkdown(`![Logo](https://example.org/logo.png)`))
	if !strings.Contains(out, `src="https://example.org/logo.png"`) {
		t.Errorf("https image lost: %q", out)
	}
}

func TestMarkdownFormatting(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"heading", "# Sitzung\n\n## TOP 1", []string{"<h1>Sitzung</h1>", "<h2>TOP 1</h2>"}},
		{"bullet list", "- eins\n- zwei", []string{"<ul>", "<li>eins</li>", "<li>zwei</li>"}},
		{"ordered list", "1. eins\n2. zwei", []string{"<ol>", "<li>eins</li>"}},
		{"table", "| Kommune | Stimmen |\n|---|---:|\n| Leipzig | 3 |",
			[]string{"<table>", "<th>Kommune</th>", "<td>Leipzig</td>", "<td", ">3</td>"}},
		{"bold", "**wichtig**", []string{"<strong>wichtig</strong>"}},
		{"strikethrough", "~~alt~~", []string{"<del>alt</del>"}},
		{"umlauts", "Größe, Übergänge, Maß, Äpfel", []string{"Größe, Übergänge, Maß, Äpfel"}},
		{"hard wrap", "Zeile eins\nZeile zwei", []string{"Zeile eins<br>", "Zeile zwei"}},
		{"task list", "- [x] erledigt\n- [ ] offen", []string{`<input checked="" disabled="" type="checkbox"> erledigt`, `<input disabled="" type="checkbox"> offen`}},
		{"link", "[FITKO](https://www.fitko.de/)", []string{`<a href="https://www.fitko.de/" rel="nofollow noopener">FITKO</a>`}},
		{"linkify", "siehe www.fitko.de und https://example.org", []string{`href="http://www.fitko.de" rel="nofollow noopener"`, `href="https://example.org" rel="nofollow noopener"`}},
		{"mail", "[Geschäftsstelle](mailto:kog@example.org)", []string{`href="mailto:kog@example.org"`}},
		{"relative link", "[Thema](/themen/3)", []string{`href="/themen/3"`}},
		{"code", "`a < b`", []string{"<code>a &lt; b</code>"}},
		{"escaped text", "a < b & c", []string{"a &lt; b &amp; c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(renderMarkdown(tt.in))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("renderMarkdown(%q) = %q, want it to contain %q", tt.in, out, w)
				}
			}
			assertInert(t, tt.in, out)
		})
	}
}

func TestMarkdownLinkRel(t *testing.T) {
	z := html.NewTokenizer(strings.NewReader(string(renderMarkdown("[a](https://example.org) und <https://example.com>"))))
	links := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tok.Type != html.StartTagToken || tok.Data != "a" {
			continue
		}
		links++
		var rel string
		for _, a := range tok.Attr {
			if a.Key == "rel" {
				rel = a.Val
			}
		}
		fields := strings.Fields(rel)
		if !slices.Contains(fields, "nofollow") || !slices.Contains(fields, "noopener") {
			t.Errorf("link %v: rel = %q, want nofollow and noopener", tok, rel)
		}
	}
	if links != 2 {
		t.Errorf("found %d links, want 2", links)
	}
}

func TestMarkdownPlain(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"# Titel\n\nEin **fetter** Satz\nmit Umbruch.", 100, "Titel Ein fetter Satz mit Umbruch."},
		{"- eins\n- zwei", 100, "eins zwei"},
		{"a < b & \"c\"", 100, `a < b & "c"`},
		{"<script>alert(1)</script>Text", 100, ""},
		{"Übergänge für Kommunen", 10, "Übergänge…"},
		{"Übergänge für Kommunen", 11, "Übergänge…"},
		{"kurz", 4, "kurz"},
		{"kurz", 0, "kurz"},
		{"[Link](https://example.org) da", 100, "Link da"},
		{"", 10, ""},
	}
	for _, tt := range tests {
		got := markdownPlain(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("markdownPlain(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if tt.n > 0 && utf8.RuneCountInString(got) > tt.n {
			t.Errorf("markdownPlain(%q, %d) = %q is longer than %d runes", tt.in, tt.n, got, tt.n)
		}
	}
}
