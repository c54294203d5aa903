package app

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The converter and policies are built once: both are safe for concurrent use
// and hold no request or configuration state.
var (
	markdownConverter = goldmark.New(
		// GFM = tables, strikethrough, linkify (autolinks) and task lists.
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkRel{}, 100))),
		// Hard wraps: a line break typed in the textarea stays a line break.
		goldmark.WithRendererOptions(gmhtml.WithHardWraps()),
	)
	markdownPolicy = newMarkdownPolicy()
	plainPolicy    = bluemonday.StrictPolicy().AddSpaceWhenStrippingTag(true)
)

// newMarkdownPolicy is the UGC policy with the additions the portal needs.
func newMarkdownPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// Only web and mail links (relative ones stay allowed); in particular no
	// data: URLs, so no inline images from data: either.
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	// rel is set by linkRel below; bluemonday keeps it only in this form.
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^(nofollow|noopener|noreferrer)( (nofollow|noopener|noreferrer))*$`)).OnElements("a")
	// Task-list checkboxes as goldmark renders them: disabled, never a form.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	return p
}

// linkRel marks links rel="nofollow noopener": user content must not pass on
// search-engine reputation nor get a handle on the portal's window. Links
// with any other scheme get no rel, so bluemonday, having removed their
// href, drops the empty <a> and keeps only its text.
type linkRel struct{}

// Transform implements parser.ASTTransformer.
func (linkRel) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest []byte
		switch l := n.(type) {
		case *ast.Link:
			// As the renderer writes it: entities like &#106; resolved.
			dest = util.URLEscape(l.Destination, true)
		case *ast.AutoLink:
			if l.AutoLinkType == ast.AutoLinkEmail {
				dest = []byte("mailto:")
			} else {
				dest = l.URL(reader.Source())
			}
		default:
			return ast.WalkContinue, nil
		}
		if u, err := url.Parse(string(dest)); err == nil && allowedLinkScheme[strings.ToLower(u.Scheme)] {
			n.SetAttributeString("rel", []byte("nofollow noopener"))
		}
		return ast.WalkContinue, nil
	})
}

// allowedLinkScheme lists the link schemes kept; "" is a relative link.
var allowedLinkScheme = map[string]bool{"": true, "http": true, "https": true, "mailto": true}

// renderMarkdown turns user-written Markdown (topic descriptions, comments,
// minutes) into HTML that is safe to put into a page unescaped. It passes two
// independent layers:
//
//  1. goldmark renders it with raw HTML switched off (no html.WithUnsafe):
//     typed tags become "<!-- raw HTML omitted -->" and javascript:, vbscript:,
//     file: and non-image data: link targets are dropped.
//  2. bluemonday's UGC policy then cleans the generated HTML against an
//     allowlist of elements, attributes and URL schemes (http, https, mailto,
//     relative), so a goldmark bug, a future extension or a changed option
//     cannot put script into a page on its own.
//
// Either layer alone suffices today; both together are what the design asks
// for (DESIGN.md, "Security settings"), and the tests hold both to an XSS
// corpus.
func renderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdownConverter.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails on writer errors, which a bytes.Buffer has
		// none of; show the text escaped rather than nothing.
		return template.HTML("<p>" + template.HTMLEscapeString(src) + "</p>") //nolint:gosec // escaped
	}
	return template.HTML(markdownPolicy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised above
}

// markdownPlain is the text of src without any markup, whitespace collapsed,
// for list previews. It is at most n runes long, ending in "…" when cut;
// n <= 0 means no limit. The result is plain text: templates escape it.
func markdownPlain(src string, n int) string {
	var buf bytes.Buffer
	if err := markdownConverter.Convert([]byte(src), &buf); err != nil {
		buf.Reset()
		buf.WriteString(template.HTMLEscapeString(src))
	}
	s := html.UnescapeString(plainPolicy.Sanitize(buf.String()))
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if n <= 0 || len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}
