package models

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DiffOp says whether a piece of text stayed, was added or was removed.
type DiffOp int

// The three kinds of diff pieces.
const (
	DiffEqual DiffOp = iota
	DiffInsert
	DiffDelete
)

// DiffPart is a run of words with its kind; templates render inserts as
// <ins> and deletes as <del>.
type DiffPart struct {
	Op   DiffOp
	Text string
}

// WordDiff compares two texts word by word. Words (and the spaces and
// punctuation between them) are mapped to single runes so that the
// diff-match-patch algorithm, which works on characters, compares whole
// words; the result reads like a track-changes view.
func WordDiff(a, b string) []DiffPart {
	table := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, w := range splitWords(s) {
			r, ok := table[w]
			if !ok {
				r = rune(0xE000 + len(words)) // private use area: never in the text itself
				table[w] = r
				words = append(words, w)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupMerge(dmp.DiffMainRunes(ra, rb, false))
	parts := make([]DiffPart, 0, len(diffs))
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(words[r-0xE000])
		}
		op := DiffEqual
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = DiffInsert
		case diffmatchpatch.DiffDelete:
			op = DiffDelete
		}
		parts = append(parts, DiffPart{Op: op, Text: sb.String()})
	}
	return parts
}

// splitWords cuts text into words and the separators between them, so that
// joining the pieces gives the text back unchanged.
func splitWords(s string) []string {
	var out []string
	start := 0
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/' }
	runes := []rune(s)
	for i := 1; i <= len(runes); i++ {
		if i == len(runes) || isWord(runes[i]) != isWord(runes[i-1]) {
			out = append(out, string(runes[start:i]))
			start = i
		}
	}
	return out
}

// Changed reports whether a diff has any insert or delete.
func Changed(parts []DiffPart) bool {
	for _, p := range parts {
		if p.Op != DiffEqual {
			return true
		}
	}
	return false
}
