package app

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// Decoding structs mirror the Atom elements; they are written independently
// of the encoder's types so the test checks the document, not the code.
type testAtomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type testAtomEntry struct {
	ID      string         `xml:"http://www.w3.org/2005/Atom id"`
	Title   string         `xml:"http://www.w3.org/2005/Atom title"`
	Updated string         `xml:"http://www.w3.org/2005/Atom updated"`
	Summary string         `xml:"http://www.w3.org/2005/Atom summary"`
	Links   []testAtomLink `xml:"http://www.w3.org/2005/Atom link"`
}

type testAtomFeed struct {
	XMLName xml.Name        `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string          `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string          `xml:"http://www.w3.org/2005/Atom id"`
	Title   string          `xml:"http://www.w3.org/2005/Atom title"`
	Updated string          `xml:"http://www.w3.org/2005/Atom updated"`
	Author  string          `xml:"http://www.w3.org/2005/Atom author>name"`
	Links   []testAtomLink  `xml:"http://www.w3.org/2005/Atom link"`
	Entries []testAtomEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

func linkByRel(ls []testAtomLink, rel string) (testAtomLink, bool) {
	for _, l := range ls {
		if l.Rel == rel {
			return l, true
		}
	}
	return testAtomLink{}, false
}

func TestProfileAtomFeed(t *testing.T) {
	base := "https://kog.example.de/"
	// A time with a non-UTC zone must come out in UTC.
	upd := time.Date(2026, 3, 5, 14, 30, 0, 0, berlin)
	entries := []FeedEntry{
		{
			ID:      profileEntryID(base, "AP-2026-03", 2),
			Title:   "AP-2026-03: Größere Dateien <über 10 MB> & „EfA“-Dienste",
			Link:    "/anforderungsprofile/3/fassung/2",
			Summary: "Kommunen brauchen Uploads > 10 MB & Rückmeldungen in Echtzeit; <script>alert(1)</script> ÄÖÜäöüß",
			Updated: upd,
		},
		{
			ID:      profileEntryID(base, "AP-2026-01", 1),
			Title:   "AP-2026-01: XÖV-Standard für Meldewesen",
			Link:    "https://kog.example.de/anforderungsprofile/1",
			Updated: time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC),
		},
	}
	data, err := profileAtom(base, entries, upd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("missing XML declaration: %.60s", data)
	}
	raw := string(data)
	for _, bad := range []string{"<über", "<script>", "& R", "> 10 MB"} {
		if strings.Contains(raw, bad) {
			t.Errorf("unescaped %q in feed:\n%s", bad, raw)
		}
	}
	if !strings.Contains(raw, "&lt;script&gt;") || !strings.Contains(raw, "&amp;") {
		t.Errorf("special characters not escaped:\n%s", raw)
	}

	var f testAtomFeed
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, raw)
	}
	if f.ID != "https://kog.example.de/anforderungsprofile/feed.atom" {
		t.Errorf("feed id = %q", f.ID)
	}
	if f.Title != "Anforderungsprofile des Kommunalgremiums" {
		t.Errorf("feed title = %q", f.Title)
	}
	if f.Updated != "2026-03-05T13:30:00Z" {
		t.Errorf("feed updated = %q, want RFC 3339 UTC", f.Updated)
	}
	if f.Author != "Kommunalgremium des IT-Planungsrats" {
		t.Errorf("author = %q", f.Author)
	}
	if f.Lang != "de" {
		t.Errorf("xml:lang = %q", f.Lang)
	}
	if l, ok := linkByRel(f.Links, "self"); !ok || l.Href != f.ID || l.Type != "application/atom+xml" {
		t.Errorf("self link = %+v", l)
	}
	if l, ok := linkByRel(f.Links, "alternate"); !ok || l.Href != "https://kog.example.de/anforderungsprofile" {
		t.Errorf("alternate link = %+v", l)
	}

	if len(f.Entries) != 2 {
		t.Fatalf("%d entries, want 2", len(f.Entries))
	}
	e := f.Entries[0]
	if e.ID != "tag:kog.example.de,2026:anforderungsprofile/AP-2026-03/fassung-2" {
		t.Errorf("entry id = %q", e.ID)
	}
	if e.Title != entries[0].Title || e.Summary != entries[0].Summary {
		t.Errorf("special characters did not survive:\n title %q\n summary %q", e.Title, e.Summary)
	}
	if e.Updated != "2026-03-05T13:30:00Z" {
		t.Errorf("entry updated = %q", e.Updated)
	}
	if l, ok := linkByRel(e.Links, "alternate"); !ok || l.Href != "https://kog.example.de/anforderungsprofile/3/fassung/2" {
		t.Errorf("relative entry link not resolved: %+v", e.Links)
	}
	e = f.Entries[1]
	if e.Updated != "2026-01-20T09:00:00Z" || e.Summary != "" || e.Links[0].Href != entries[1].Link {
		t.Errorf("second entry = %+v", e)
	}
	if strings.Contains(raw, "<summary") && strings.Count(raw, "<summary") != 1 {
		t.Errorf("empty summary written:\n%s", raw)
	}
}

func TestProfileAtomDefaultsAndErrors(t *testing.T) {
	e := FeedEntry{ID: "tag:kog.example.de,2026:x", Title: "T", Updated: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	// Zero feed time: the newest entry's.
	data, err := profileAtom("https://kog.example.de", []FeedEntry{e}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var f testAtomFeed
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Updated != "2026-02-01T00:00:00Z" {
		t.Errorf("updated = %q", f.Updated)
	}
	// An empty feed is valid with an explicit time.
	var empty testAtomFeed
	if data, err = profileAtom("https://kog.example.de", nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	} else if err := xml.Unmarshal(data, &empty); err != nil || len(empty.Entries) != 0 || empty.ID == "" {
		t.Errorf("empty feed: %v, %+v", err, empty)
	}

	now := time.Now()
	for name, c := range map[string]struct {
		base string
		es   []FeedEntry
	}{
		"relative base": {"/portal", []FeedEntry{e}},
		"relative id":   {"https://x.de", []FeedEntry{{ID: "AP-2026-01", Title: "T"}}},
		"no title":      {"https://x.de", []FeedEntry{{ID: "tag:x.de,2026:a"}}},
		"duplicate id":  {"https://x.de", []FeedEntry{e, e}},
	} {
		if _, err := profileAtom(c.base, c.es, now); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := profileAtom("https://x.de", nil, time.Time{}); err == nil {
		t.Error("no time at all: no error")
	}
}

func TestProfileEntryID(t *testing.T) {
	for _, c := range []struct{ base, ref, want string }{
		{"https://kog.example.de", "AP-2026-03", "tag:kog.example.de,2026:anforderungsprofile/AP-2026-03/fassung-4"},
		{"http://KOG.Example.de:8080/", "AP-2027-11", "tag:kog.example.de,2027:anforderungsprofile/AP-2027-11/fassung-4"},
	} {
		if got := profileEntryID(c.base, c.ref, 4); got != c.want {
			t.Errorf("profileEntryID(%q, %q) = %q, want %q", c.base, c.ref, got, c.want)
		}
	}
}
