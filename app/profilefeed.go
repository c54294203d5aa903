package app

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// atomContentType is the media type to serve profileAtom's output with.
const atomContentType = "application/atom+xml; charset=utf-8"

// Fixed parts of the feed of requirement profiles.
const (
	profileFeedPath   = "/anforderungsprofile"
	profileFeedTitle  = "Anforderungsprofile des Kommunalgremiums"
	profileFeedAuthor = "Kommunalgremium des IT-Planungsrats"
)

// FeedEntry is one published version of a requirement profile in the feed.
// ID must be an absolute, stable IRI, preferably a tag: URI (see
// profileEntryID); Link may be absolute or a path below baseURL.
type FeedEntry struct {
	ID, Title, Link, Summary string
	Updated                  time.Time
}

// Atom 1.0 (RFC 4287) elements as far as the feed uses them. Children carry
// no namespace of their own and inherit the default namespace of <feed>.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator,omitempty"`
	Entries   []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   atomText   `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Summary *atomText  `xml:"summary,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

// atomTime formats a time as an RFC 3339 date-time in UTC, as Atom requires.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// profileAtom renders the Atom 1.0 feed (RFC 4287) of published profile
// versions, one entry per version in the given order. baseURL is the
// portal's absolute root URL without trailing slash (one is tolerated).
// updated is the feed's last change; when it is zero the newest entry's time
// is used. An entry without Updated gets the feed's time, one with a relative
// Link gets it resolved against baseURL.
func profileAtom(baseURL string, entries []FeedEntry, updated time.Time) ([]byte, error) {
	base := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if u, err := url.Parse(base); err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("atom feed: base URL %q is not absolute", baseURL)
	}
	if updated.IsZero() {
		for _, e := range entries {
			if e.Updated.After(updated) {
				updated = e.Updated
			}
		}
	}
	if updated.IsZero() {
		return nil, errors.New("atom feed: no update time")
	}
	feed := atomFeed{
		Lang:    "de",
		ID:      base + profileFeedPath + "/feed.atom",
		Title:   atomText{Type: "text", Body: profileFeedTitle},
		Updated: atomTime(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + profileFeedPath + "/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + profileFeedPath},
		},
		Author:    atomPerson{Name: profileFeedAuthor},
		Generator: "KoG-Portal",
	}
	seen := map[string]bool{}
	for i, e := range entries {
		id := strings.TrimSpace(e.ID)
		if u, err := url.Parse(id); err != nil || u.Scheme == "" {
			return nil, fmt.Errorf("atom feed: entry %d: id %q is not an absolute IRI", i, e.ID)
		}
		if seen[id] {
			return nil, fmt.Errorf("atom feed: entry %d: duplicate id %q", i, id)
		}
		seen[id] = true
		if strings.TrimSpace(e.Title) == "" {
			return nil, fmt.Errorf("atom feed: entry %s has no title", id)
		}
		ae := atomEntry{ID: id, Title: atomText{Type: "text", Body: e.Title}, Updated: atomTime(updated)}
		if !e.Updated.IsZero() {
			ae.Updated = atomTime(e.Updated)
		}
		if link := strings.TrimSpace(e.Link); link != "" {
			if strings.HasPrefix(link, "/") {
				link = base + link
			}
			ae.Links = []atomLink{{Rel: "alternate", Type: "text/html", Href: link}}
		}
		if s := strings.TrimSpace(e.Summary); s != "" {
			ae.Summary = &atomText{Type: "text", Body: s}
		}
		feed.Entries = append(feed.Entries, ae)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// profileEntryID is the stable tag: URI (RFC 4151) of one version of a
// profile, e.g. "tag:kog.example.de,2026:anforderungsprofile/AP-2026-03/fassung-2".
// It depends only on the portal's host name and the reference, so it survives
// restarts, re-imports and changes of the URL scheme; the year of the
// reference dates the tag, as the authority owned the name then.
func profileEntryID(baseURL, reference string, number int) string {
	host := "localhost"
	if u, err := url.Parse(strings.TrimSpace(baseURL)); err == nil && u.Hostname() != "" {
		host = strings.ToLower(u.Hostname())
	}
	year := "2026"
	if parts := strings.Split(reference, "-"); len(parts) >= 2 && len(parts[1]) == 4 {
		if _, err := strconv.Atoi(parts[1]); err == nil {
			year = parts[1]
		}
	}
	return "tag:" + host + "," + year + ":anforderungsprofile/" + url.PathEscape(reference) + "/fassung-" + strconv.Itoa(number)
}
