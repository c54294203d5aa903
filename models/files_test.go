package models

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// newTestFileStore is a store in a fresh directory.
func newTestFileStore(t *testing.T, maxBytes int64) *FileStore {
	t.Helper()
	fs, err := NewFileStore(filepath.Join(t.TempDir(), "anhaenge"), maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// dirNames lists what lies in the store directory.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// zipOf builds a zip archive; the first file is stored uncompressed, as
// OpenDocument requires for "mimetype".
func zipOf(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, f := range files {
		method := zip.Deflate
		if i == 0 {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ooxml(t *testing.T, dir string, extra ...[2]string) []byte {
	files := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships/>`},
		{dir + "/document.xml", `<?xml version="1.0"?><document/>`},
	}
	return zipOf(t, append(files, extra...)...)
}

func openDocument(t *testing.T, mime string, extra ...[2]string) []byte {
	files := [][2]string{
		{"mimetype", mime},
		{"content.xml", `<?xml version="1.0"?><office:document-content/>`},
		{"META-INF/manifest.xml", `<?xml version="1.0"?><manifest/>`},
	}
	return zipOf(t, append(files, extra...)...)
}

// ole2 builds a minimal Compound File (512-byte sectors): header, one FAT
// sector (0) and directory sectors (1, 2, …; four entries each, chained in
// the FAT) with a root entry and the given streams.
func ole2(streams ...string) []byte {
	const (
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
	)
	le := binary.LittleEndian
	hdr := make([]byte, 512)
	copy(hdr, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	le.PutUint16(hdr[24:], 0x3E)
	le.PutUint16(hdr[26:], 3)
	le.PutUint16(hdr[28:], 0xFFFE)
	le.PutUint16(hdr[30:], 9)
	le.PutUint16(hdr[32:], 6)
	le.PutUint32(hdr[44:], 1) // one FAT sector
	le.PutUint32(hdr[48:], 1) // directory starts at sector 1
	le.PutUint32(hdr[56:], 4096)
	le.PutUint32(hdr[60:], endOfChain)
	le.PutUint32(hdr[68:], endOfChain)
	for i := 0; i < 109; i++ {
		le.PutUint32(hdr[76+4*i:], freeSect)
	}
	le.PutUint32(hdr[76:], 0) // the FAT is sector 0
	fat := make([]byte, 512)
	for i := 0; i < 128; i++ {
		le.PutUint32(fat[4*i:], freeSect)
	}
	dirSectors := (len(streams) + 1 + 3) / 4
	le.PutUint32(fat[0:], fatSect)
	for i := 1; i < dirSectors; i++ {
		le.PutUint32(fat[4*i:], uint32(i+1))
	}
	le.PutUint32(fat[4*dirSectors:], endOfChain)
	dir := make([]byte, 512*dirSectors)
	entry := func(i int, name string, typ byte) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			le.PutUint16(e[2*k:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66] = typ
	}
	entry(0, "Root Entry", 5)
	for i, s := range streams {
		entry(i+1, s, 2)
	}
	return append(append(hdr, fat...), dir...)
}

// loopedOLE2 is a Compound File whose directory chain points back at itself
// and that holds no Office stream: parsing must end and refuse it.
func loopedOLE2() []byte {
	b := ole2("Ole10Native")
	binary.LittleEndian.PutUint32(b[512+4:], 1) // FAT[1] = 1
	return b
}

func TestFileStoreAcceptsAllowedTypes(t *testing.T) {
	tests := []struct {
		name, file, wantName, wantMIME string
		data                           []byte
	}{
		{"pdf", "Bericht.pdf", "Bericht.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")},
		{"png", "bild.png", "bild.png", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")},
		{"jpeg", "foto.JPEG", "foto.JPEG", "image/jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")},
		{"jpg", "foto.jpg", "foto.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00")},
		{"gif", "a.gif", "a.gif", "image/gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")},
		{"webp", "a.webp", "a.webp", "image/webp", []byte("RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00")},
		{"docx", "Stellungnahme.docx", "Stellungnahme.docx", typeDOCX.mime, ooxml(t, "word")},
		{"xlsx", "Tabelle.xlsx", "Tabelle.xlsx", typeXLSX.mime, ooxml(t, "xl")},
		{"pptx", "Folien.pptx", "Folien.pptx", typePPTX.mime, ooxml(t, "ppt")},
		{"odt", "Text.odt", "Text.odt", "application/vnd.oasis.opendocument.text", openDocument(t, "application/vnd.oasis.opendocument.text")},
		{"ods", "Rechnung.ods", "Rechnung.ods", "application/vnd.oasis.opendocument.spreadsheet", openDocument(t, "application/vnd.oasis.opendocument.spreadsheet")},
		{"odp", "Vortrag.odp", "Vortrag.odp", "application/vnd.oasis.opendocument.presentation", openDocument(t, "application/vnd.oasis.opendocument.presentation")},
		{"doc", "alt.doc", "alt.doc", "application/msword", ole2("WordDocument", "1Table", "\x05SummaryInformation")},
		{"xls", "alt.xls", "alt.xls", "application/vnd.ms-excel", ole2("Workbook")},
		{"ppt", "alt.ppt", "alt.ppt", "application/vnd.ms-powerpoint", ole2("PowerPoint Document", "Current User")},
		{"doc with a long directory", "lang.doc", "lang.doc", "application/msword", ole2("1Table", "Data", "ObjectPool", "CompObj", "\x05DocumentSummaryInformation", "\x05SummaryInformation", "WordDocument")},
		{"txt", "notiz.txt", "notiz.txt", "text/plain; charset=utf-8", []byte("Größe: 3 Äpfel\r\nZweite Zeile\tmit Tab\n")},
		{"csv", "stimmen.csv", "stimmen.csv", "text/csv; charset=utf-8", []byte("\ufeffKommune;Stimmen\nLeipzig;3\n")},
		{"text named otherwise", "liesmich", "liesmich.txt", "text/plain; charset=utf-8", []byte("Hallo")},
		{"text with a < inside", "x.txt", "x.txt", "text/plain; charset=utf-8", []byte("a < b und c > d")},
		{"wrong extension gets the right one", "bericht.exe", "bericht.exe.pdf", "application/pdf", []byte("%PDF-1.4\n")},
		{"docx named doc", "brief.doc", "brief.doc.docx", typeDOCX.mime, ooxml(t, "word")},
		{"no name", "", "datei.png", "image/png", []byte("\x89PNG\r\n\x1a\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newTestFileStore(t, 1<<20)
			got, err := fs.Save(bytes.NewReader(tt.data), tt.file)
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			if got.FileName != tt.wantName || got.MIME != tt.wantMIME || got.Size != int64(len(tt.data)) {
				t.Errorf("Save = %+v, want name %q, MIME %q, size %d", got, tt.wantName, tt.wantMIME, len(tt.data))
			}
			if !validStoredName(got.StoredName) {
				t.Errorf("stored name %q is not 32 hex characters", got.StoredName)
			}
			if names := dirNames(t, fs.Dir); len(names) != 1 || names[0] != got.StoredName {
				t.Errorf("directory holds %v, want only %s", names, got.StoredName)
			}
			info, err := os.Stat(filepath.Join(fs.Dir, got.StoredName))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", info.Mode().Perm())
			}
			f, err := fs.Open(got.StoredName)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer f.Close()
			if content, _ := io.ReadAll(f); !bytes.Equal(content, tt.data) {
				t.Errorf("content differs")
			}
		})
	}
}

func TestFileStoreRefusesOtherTypes(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		macros     bool
	}{
		{"html named pdf", "x.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), false},
		{"html after whitespace", "x.txt", []byte("\n\n  <html><body>hi</body></html>"), false},
		{"html after a BOM", "x.txt", []byte("\ufeff<script>alert(1)</script>"), false},
		{"html behind text", "x.csv", []byte("harmlos\n<script>alert(1)</script>"), false},
		{"svg", "bild.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), false},
		{"svg with xml prolog", "bild.svg", []byte(`<?xml version="1.0"?><svg/>`), false},
		{"xml", "daten.txt", []byte(`<?xml version="1.0"?><a/>`), false},
		{"empty", "leer.pdf", nil, false},
		{"elf executable", "prog.pdf", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), false},
		{"windows executable", "setup.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), false},
		{"shell script", "skript.txt", []byte("#!/bin/sh\nrm -rf /\n"), false},
		{"NUL in text", "a.txt", []byte("abc\x00def"), false},
		{"control character in text", "a.txt", []byte("abc\x1b[31mdef"), false},
		{"latin-1 text", "a.csv", []byte("Gr\xf6\xdfe;3\n"), false},
		{"plain zip", "archiv.docx", zipOf(t, [2]string{"a.txt", "x"}, [2]string{"b.exe", "MZ"}), false},
		{"jar", "x.docx", zipOf(t, [2]string{"META-INF/MANIFEST.MF", "Main-Class: X"}, [2]string{"X.class", "\xca\xfe\xba\xbe"}), false},
		{"word folder without content types", "x.docx", zipOf(t, [2]string{"word/document.xml", "<x/>"}), false},
		{"broken zip", "x.docx", []byte("PK\x03\x04garbage"), false},
		{"unknown opendocument", "x.odt", openDocument(t, "application/x-evil"), false},
		{"opendocument-like with mimetype later", "x.odt", zipOf(t, [2]string{"content.xml", "<x/>"}, [2]string{"mimetype", "application/vnd.oasis.opendocument.text"}), false},
		{"ole2 installer", "setup.doc", ole2("\u4840\u3f3f\u4577"), false},
		{"broken ole2", "x.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 too short"), false},
		{"docm", "makro.docx", ooxml(t, "word", [2]string{"word/vbaProject.bin", "\xd0\xcf"}), true},
		{"odt with basic macros", "makro.odt", openDocument(t, "application/vnd.oasis.opendocument.text", [2]string{"Basic/Standard/Module1.xml", "<x/>"}), true},
		{"doc with macros", "makro.doc", ole2("WordDocument", "Macros", "VBA"), true},
		{"xls with macros", "makro.xls", ole2("Workbook", "_VBA_PROJECT_CUR"), true},
		{"macros in a later directory sector", "makro.doc", ole2("WordDocument", "1Table", "Data", "CompObj", "ObjectPool", "Macros"), true},
		{"directory chain in a loop", "x.doc", loopedOLE2(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newTestFileStore(t, 1<<20)
			_, err := fs.Save(bytes.NewReader(tt.data), tt.file)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Fields["file"] == "" {
				t.Fatalf("Save = %v, want a validation error on file", err)
			}
			want := msgFileType
			if tt.macros {
				want = msgFileMacros
			}
			if ve.Fields["file"] != want {
				t.Errorf("message %q, want %q", ve.Fields["file"], want)
			}
			if names := dirNames(t, fs.Dir); len(names) != 0 {
				t.Errorf("refused upload left %v", names)
			}
		})
	}
}

func TestFileStoreTypeMessageNamesAllowedTypes(t *testing.T) {
	if !strings.Contains(msgFileType, "Erlaubt sind PDF, Bilder (PNG, JPEG, GIF, WebP), Office- und OpenDocument-Dateien sowie Text/CSV.") {
		t.Errorf("message %q", msgFileType)
	}
}

func TestFileStoreSizeLimit(t *testing.T) {
	const max = 64
	pdf := func(n int) []byte { return append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), n-9)...) }

	fs := newTestFileStore(t, max)
	got, err := fs.Save(bytes.NewReader(pdf(max)), "genau.pdf")
	if err != nil || got.Size != max {
		t.Fatalf("exactly MaxBytes: %+v, %v", got, err)
	}

	fs = newTestFileStore(t, max)
	if _, err := fs.Save(bytes.NewReader(pdf(max+1)), "gross.pdf"); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("MaxBytes+1: %v, want ErrFileTooLarge", err)
	}
	if names := dirNames(t, fs.Dir); len(names) != 0 {
		t.Errorf("too large upload left %v", names)
	}

	// A reader that never ends is read only up to the limit.
	r := &countingReader{}
	if _, err := fs.Save(r, "endlos.pdf"); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("endless reader: %v", err)
	}
	if r.n > max+1+32*1024 {
		t.Errorf("read %d bytes for a limit of %d", r.n, max)
	}
}

// countingReader yields an endless PDF-looking stream and counts the bytes.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "%PDF-"[(r.n+i)%5]
	}
	r.n += len(p)
	return len(p), nil
}

func TestFileStoreReadError(t *testing.T) {
	fs := newTestFileStore(t, 1<<20)
	r := io.MultiReader(strings.NewReader("%PDF-1.4\n"), errReader{})
	if _, err := fs.Save(r, "x.pdf"); err == nil {
		t.Fatal("Save ignored a read error")
	}
	if names := dirNames(t, fs.Dir); len(names) != 0 {
		t.Errorf("failed upload left %v", names)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("verbindung abgebrochen") }

func TestFileStoreHarmlessFileNames(t *testing.T) {
	pdf := []byte("%PDF-1.4\n")
	tests := []struct{ in, want string }{
		{"../../x.pdf", "x.pdf"},
		{`..\..\evil.pdf`, "evil.pdf"},
		{"/etc/passwd", "passwd.pdf"},
		{"a\x00b.pdf", "ab.pdf"},
		{"<script>.pdf", "script.pdf"},
		{`"quoted" 'name'.pdf`, "quoted name.pdf"},
		{"C:\\Users\\x\\Desktop\\Bericht 2025.pdf", "Bericht 2025.pdf"},
		{"..", "datei.pdf"},
		{".hidden.pdf", "hidden.pdf"},
		{"rechnung\u202Efdp.exe", "rechnungfdp.exe.pdf"},
		{"zeile\r\nzwei.pdf", "zeile zwei.pdf"},
		{"tab\there.pdf", "tab here.pdf"},
		{"Größe – Übersicht.PDF", "Größe – Übersicht.PDF"},
		{"a/b/", "datei.pdf"},
		{".pdf", "datei.pdf"},
		{".bashrc", "bashrc.pdf"},
		{"bericht.pdf. . .", "bericht.pdf"},
		{"\xff\xfe.pdf", "datei.pdf"},
		{strings.Repeat("ä", 300) + ".pdf", strings.Repeat("ä", 116) + ".pdf"},
		{strings.Repeat("b", 300), strings.Repeat("b", 116) + ".pdf"},
	}
	for _, tt := range tests {
		fs := newTestFileStore(t, 1<<20)
		got, err := fs.Save(bytes.NewReader(pdf), tt.in)
		if err != nil {
			t.Fatalf("Save(%q): %v", tt.in, err)
		}
		if got.FileName != tt.want {
			t.Errorf("Save(%q).FileName = %q, want %q", tt.in, got.FileName, tt.want)
		}
		if n := utf8.RuneCountInString(got.FileName); n > 120 {
			t.Errorf("Save(%q).FileName has %d runes", tt.in, n)
		}
		if strings.ContainsAny(got.FileName, "/\\\x00<>\"'") || strings.HasPrefix(got.FileName, ".") {
			t.Errorf("Save(%q).FileName = %q is not harmless", tt.in, got.FileName)
		}
		if names := dirNames(t, fs.Dir); len(names) != 1 || names[0] != got.StoredName {
			t.Errorf("Save(%q): directory holds %v", tt.in, names)
		}
		if parent := dirNames(t, filepath.Dir(fs.Dir)); len(parent) != 1 {
			t.Errorf("Save(%q) wrote outside the store: %v", tt.in, parent)
		}
	}
}

func TestFileStoreOpenRemoveRefuseBadNames(t *testing.T) {
	fs := newTestFileStore(t, 1<<20)
	stored, err := fs.Save(strings.NewReader("%PDF-1.4\n"), "x.pdf")
	if err != nil {
		t.Fatal(err)
	}
	// A file next to the store that a traversal would reach.
	secret := filepath.Join(filepath.Dir(fs.Dir), "0123456789abcdef0123456789abcdef")
	if err := os.WriteFile(secret, []byte("geheim"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		"", "../../etc/passwd", "/etc/passwd", "..", ".",
		"../0123456789abcdef0123456789abcdef",
		"..\\0123456789abcdef0123456789abcdef",
		strings.ToUpper(stored.StoredName),
		stored.StoredName[:31],
		stored.StoredName + "0",
		stored.StoredName + "/",
		stored.StoredName[:31] + "g",
		stored.StoredName[:30] + "\x00a",
		".upload-123",
	}
	for _, name := range bad {
		if f, err := fs.Open(name); !errors.Is(err, ErrNotFound) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrNotFound", name, err)
		}
		if err := fs.Remove(name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Remove(%q) = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("file outside the store touched: %v", err)
	}
	if _, err := fs.Open("00000000000000000000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(missing) = %v, want ErrNotFound", err)
	}

	if err := fs.Remove(stored.StoredName); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := fs.Remove(stored.StoredName); err != nil {
		t.Errorf("second Remove: %v, want nil", err)
	}
	if _, err := fs.Open(stored.StoredName); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open after Remove = %v, want ErrNotFound", err)
	}
}

func TestNewFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "anhaenge")
	if _, err := NewFileStore(dir, 0); err == nil {
		t.Error("NewFileStore accepted a zero size limit")
	}
	fs, err := NewFileStore(dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(fs.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() || info.Mode().Perm() != 0o700 {
		t.Errorf("store directory mode %v, want 0700", info.Mode())
	}

	// Left-overs of a crash go; a fresh temp file (an upload in flight) stays.
	stale := filepath.Join(dir, tempPrefix+"alt")
	fresh := filepath.Join(dir, tempPrefix+"neu")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileStore(dir, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file removed: %v", err)
	}
}
