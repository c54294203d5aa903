package models

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrFileTooLarge: an upload exceeds the store's MaxBytes; it becomes a 413.
var ErrFileTooLarge = errors.New("Datei zu groß")

// Messages of the upload validation errors (field "file").
const (
	msgFileType   = "Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, Bilder (PNG, JPEG, GIF, WebP), Office- und OpenDocument-Dateien sowie Text/CSV."
	msgFileMacros = "Dokumente mit Makros werden aus Sicherheitsgründen nicht angenommen. Bitte speichern Sie die Datei ohne Makros."
)

// FileStore keeps uploaded attachments as files in Dir, outside static/, so
// they are reachable only through a handler that checks access first. Files
// are named by 32 random hex characters and never by anything the user sent.
type FileStore struct {
	Dir      string
	MaxBytes int64
}

// StoredFile describes a saved upload: StoredName is the random name inside
// the store, FileName the cleaned name shown and offered for download, MIME
// the type detected from the content.
type StoredFile struct {
	StoredName, FileName, MIME string
	Size                       int64
}

// tempPrefix marks files still being written; they never match a stored
// name, so Open cannot serve them.
const tempPrefix = ".upload-"

// NewFileStore opens (and creates, 0700) the attachment directory. Temporary
// files older than an hour are left-overs of a crash and are removed.
func NewFileStore(dir string, maxBytes int64) (*FileStore, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("file store: max bytes must be positive, got %d", maxBytes)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), tempPrefix) &&
			time.Since(info.ModTime()) > time.Hour {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return &FileStore{Dir: dir, MaxBytes: maxBytes}, nil
}

// Save stores the content of r if it is at most MaxBytes long and of an
// allowed type, detected from the bytes alone; originalName only yields the
// display name. It returns ErrFileTooLarge or a *ValidationError (field
// "file") and then leaves nothing behind.
func (fs *FileStore) Save(r io.Reader, originalName string) (StoredFile, error) {
	tmp, err := os.CreateTemp(fs.Dir, tempPrefix+"*") // mode 0600
	if err != nil {
		return StoredFile{}, fmt.Errorf("file store: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	size, err := io.Copy(tmp, io.LimitReader(r, fs.MaxBytes+1))
	if err != nil {
		return StoredFile{}, fmt.Errorf("file store: reading upload: %w", err)
	}
	if size > fs.MaxBytes {
		return StoredFile{}, ErrFileTooLarge
	}
	kind, err := detectFileType(tmp, size)
	if err != nil {
		return StoredFile{}, err
	}
	base := sanitizeFileName(originalName)
	if kind.mime == typeTXT.mime && strings.EqualFold(filepath.Ext(base), ".csv") {
		kind = typeCSV // the same check; the name only picks the text flavour
	}
	if err := tmp.Sync(); err != nil {
		return StoredFile{}, fmt.Errorf("file store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return StoredFile{}, fmt.Errorf("file store: %w", err)
	}
	name := randomStoredName()
	if err := os.Rename(tmp.Name(), filepath.Join(fs.Dir, name)); err != nil {
		return StoredFile{}, fmt.Errorf("file store: %w", err)
	}
	done = true
	if d, err := os.Open(fs.Dir); err == nil { // make the rename durable
		_ = d.Sync()
		_ = d.Close()
	}
	return StoredFile{StoredName: name, FileName: withExtension(base, kind),
		MIME: kind.mime, Size: size}, nil
}

// Open returns the stored file for reading; names that are not exactly 32
// lower-case hex characters, and missing files, give ErrNotFound.
func (fs *FileStore) Open(storedName string) (*os.File, error) {
	if !validStoredName(storedName) {
		return nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(fs.Dir, storedName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Remove deletes a stored file. A file already gone is no error, so cleaning
// up twice is harmless; an invalid name gives ErrNotFound.
func (fs *FileStore) Remove(storedName string) error {
	if !validStoredName(storedName) {
		return ErrNotFound
	}
	err := os.Remove(filepath.Join(fs.Dir, storedName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// randomStoredName is 128 random bits as 32 lower-case hex characters.
func randomStoredName() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (Go ≥ 1.24 crashes the program instead)
	return hex.EncodeToString(b)
}

func validStoredName(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// fileType is an allowed kind of upload: its MIME type and the extensions
// it may carry, the first being the one appended when the name has none of
// them.
type fileType struct {
	mime string
	exts []string
}

// The allowed types.
var (
	typePDF  = fileType{"application/pdf", []string{".pdf"}}
	typePNG  = fileType{"image/png", []string{".png"}}
	typeJPEG = fileType{"image/jpeg", []string{".jpg", ".jpeg"}}
	typeGIF  = fileType{"image/gif", []string{".gif"}}
	typeWebP = fileType{"image/webp", []string{".webp"}}
	typeDOCX = fileType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}}
	typeXLSX = fileType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}}
	typePPTX = fileType{"application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"}}
	typeDOC  = fileType{"application/msword", []string{".doc"}}
	typeXLS  = fileType{"application/vnd.ms-excel", []string{".xls"}}
	typePPT  = fileType{"application/vnd.ms-powerpoint", []string{".ppt"}}
	typeTXT  = fileType{"text/plain; charset=utf-8", []string{".txt"}}
	typeCSV  = fileType{"text/csv; charset=utf-8", []string{".csv"}}
	// OpenDocument types by the content of their "mimetype" entry.
	openDocumentTypes = map[string]fileType{
		"application/vnd.oasis.opendocument.text":         {"application/vnd.oasis.opendocument.text", []string{".odt"}},
		"application/vnd.oasis.opendocument.spreadsheet":  {"application/vnd.oasis.opendocument.spreadsheet", []string{".ods"}},
		"application/vnd.oasis.opendocument.presentation": {"application/vnd.oasis.opendocument.presentation", []string{".odp"}},
		"application/vnd.oasis.opendocument.graphics":     {"application/vnd.oasis.opendocument.graphics", []string{".odg"}},
	}
)

func fileTypeError() error  { return (&ValidationError{}).Add("file", msgFileType) }
func fileMacroError() error { return (&ValidationError{}).Add("file", msgFileMacros) }

// detectFileType decides by the content alone. A text file is reported as
// typeTXT; Save makes it typeCSV when the name ends in ".csv".
func detectFileType(f *os.File, size int64) (fileType, error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return fileType{}, fmt.Errorf("file store: %w", err)
	}
	head = head[:n]
	switch {
	case n == 0:
		return fileType{}, fileTypeError()
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return typePDF, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return typePNG, nil
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return typeJPEG, nil
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return typeGIF, nil
	case n >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WEBP":
		return typeWebP, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return zipType(f, size)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return ole2Type(f, size)
	}
	return textType(f)
}

// zipType accepts OOXML (docx/xlsx/pptx) and OpenDocument archives. Only the
// central directory and the tiny "mimetype" entry are read, so a zip bomb
// costs nothing. Office documents with VBA macros are refused.
func zipType(f *os.File, size int64) (fileType, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil || len(zr.File) == 0 {
		return fileType{}, fileTypeError()
	}
	if first := zr.File[0]; first.Name == "mimetype" {
		rc, err := first.Open()
		if err != nil {
			return fileType{}, fileTypeError()
		}
		mt, err := io.ReadAll(io.LimitReader(rc, 100))
		_ = rc.Close()
		t, ok := openDocumentTypes[strings.TrimSpace(string(mt))]
		if err != nil || !ok {
			return fileType{}, fileTypeError()
		}
		for _, e := range zr.File {
			if strings.HasPrefix(e.Name, "Basic/") || strings.HasPrefix(e.Name, "Scripts/") {
				return fileType{}, fileMacroError()
			}
		}
		return t, nil
	}
	var contentTypes bool
	var kind fileType
	for _, e := range zr.File {
		switch {
		case e.Name == "[Content_Types].xml":
			contentTypes = true
		case strings.EqualFold(filepath.Base(e.Name), "vbaProject.bin"):
			return fileType{}, fileMacroError()
		case kind.mime == "" && strings.HasPrefix(e.Name, "word/"):
			kind = typeDOCX
		case kind.mime == "" && strings.HasPrefix(e.Name, "xl/"):
			kind = typeXLSX
		case kind.mime == "" && strings.HasPrefix(e.Name, "ppt/"):
			kind = typePPTX
		}
	}
	if !contentTypes || kind.mime == "" {
		return fileType{}, fileTypeError()
	}
	return kind, nil
}

// ole2Type accepts legacy Word, Excel and PowerPoint files. The OLE2
// container (Compound File Binary) also holds installers (.msi), Outlook
// messages and more, so the directory is read and only the streams of the
// three Office programs are accepted; VBA storages mean macros and are
// refused.
func ole2Type(f *os.File, size int64) (fileType, error) {
	names, ok := ole2Names(f, size)
	if !ok {
		return fileType{}, fileTypeError()
	}
	var kind fileType
	for _, name := range names {
		switch strings.ToLower(name) {
		case "vba", "_vba_project_cur", "macros", "_vba_project":
			return fileType{}, fileMacroError()
		case "worddocument":
			kind = typeDOC
		case "workbook", "book":
			if kind.mime == "" {
				kind = typeXLS
			}
		case "powerpoint document":
			if kind.mime == "" {
				kind = typePPT
			}
		}
	}
	if kind.mime == "" {
		return fileType{}, fileTypeError()
	}
	return kind, nil
}

// ole2Names lists the entry names of an OLE2 directory, following the FAT
// chain from the header (MS-CFB 2.2, 2.3, 2.6). Every read is bounds- and
// loop-checked; a malformed file gives ok == false.
func ole2Names(f io.ReaderAt, size int64) (names []string, ok bool) {
	const (
		endOfChain = 0xFFFFFFFE
		maxRegSect = 0xFFFFFFFA
	)
	hdr := make([]byte, 512)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return nil, false
	}
	shift := binary.LittleEndian.Uint16(hdr[30:])
	if shift != 9 && shift != 12 {
		return nil, false
	}
	secSize := int64(1) << shift
	perSec := secSize / 4
	numSectors := size/secSize + 1
	readSector := func(sec uint32) ([]byte, bool) {
		if sec > maxRegSect || int64(sec) >= numSectors {
			return nil, false
		}
		buf := make([]byte, secSize)
		if _, err := f.ReadAt(buf, (int64(sec)+1)*secSize); err != nil {
			return nil, false
		}
		return buf, true
	}
	// The FAT sectors: 109 in the header, the rest in the DIFAT chain.
	var fatSecs []uint32
	for i := 0; i < 109; i++ {
		fatSecs = append(fatSecs, binary.LittleEndian.Uint32(hdr[76+4*i:]))
	}
	difat := binary.LittleEndian.Uint32(hdr[68:])
	for i := int64(0); difat != endOfChain && difat <= maxRegSect; i++ {
		if i > numSectors {
			return nil, false
		}
		buf, ok := readSector(difat)
		if !ok {
			return nil, false
		}
		for j := int64(0); j < perSec-1; j++ {
			fatSecs = append(fatSecs, binary.LittleEndian.Uint32(buf[4*j:]))
		}
		difat = binary.LittleEndian.Uint32(buf[4*(perSec-1):])
	}
	if numFAT := int64(binary.LittleEndian.Uint32(hdr[44:])); numFAT < int64(len(fatSecs)) {
		fatSecs = fatSecs[:numFAT]
	}
	next := func(sec uint32) (uint32, bool) {
		i := int64(sec) / perSec
		if i >= int64(len(fatSecs)) {
			return 0, false
		}
		var b [4]byte
		off := (int64(fatSecs[i])+1)*secSize + (int64(sec)%perSec)*4
		if fatSecs[i] > maxRegSect || off+4 > size {
			return 0, false
		}
		if _, err := f.ReadAt(b[:], off); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint32(b[:]), true
	}
	sec := binary.LittleEndian.Uint32(hdr[48:])
	for i := int64(0); sec != endOfChain; i++ {
		if i > numSectors {
			return nil, false
		}
		buf, ok := readSector(sec)
		if !ok {
			return nil, false
		}
		for off := int64(0); off+128 <= secSize; off += 128 {
			e := buf[off : off+128]
			nameLen := int(binary.LittleEndian.Uint16(e[64:]))
			if nameLen < 2 || nameLen > 64 || e[66] == 0 { // unused entry
				continue
			}
			u := make([]uint16, nameLen/2-1)
			for k := range u {
				u[k] = binary.LittleEndian.Uint16(e[2*k:])
			}
			names = append(names, string(utf16.Decode(u)))
		}
		if sec, ok = next(sec); !ok {
			return nil, false
		}
	}
	return names, true
}

// textType accepts plain UTF-8 text without NUL and other control characters
// (tab, line breaks and form feed excepted) that does not look like markup
// (a browser could be talked into rendering HTML, XML or SVG) nor starts
// with a "#!" interpreter line. Other script text is defused by the name:
// it always ends in .txt or .csv.
func textType(f *os.File) (fileType, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fileType{}, fmt.Errorf("file store: %w", err)
	}
	br := bufio.NewReader(f)
	var head []byte
	for {
		r, size, err := br.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileType{}, fmt.Errorf("file store: %w", err)
		}
		if r == utf8.RuneError && size == 1 {
			return fileType{}, fileTypeError() // not UTF-8
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			return fileType{}, fileTypeError()
		}
		if len(head) < 1024 {
			head = utf8.AppendRune(head, unicode.ToLower(r))
		}
	}
	trimmed := strings.TrimLeft(strings.TrimPrefix(string(head), "\ufeff"), " \t\r\n\f")
	if strings.HasPrefix(trimmed, "<") || strings.HasPrefix(trimmed, "#!") { // markup, script
		return fileType{}, fileTypeError()
	}
	for _, tag := range []string{"<html", "<head", "<body", "<script", "<svg", "<iframe", "<?xml", "<!doctype"} {
		if strings.Contains(trimmed, tag) {
			return fileType{}, fileTypeError()
		}
	}
	return typeTXT, nil
}

// sanitizeFileName makes the name the user sent safe to show and to offer
// in a Content-Disposition header: the base name only (either slash),
// without control, bidi-formatting and quoting characters or those Windows
// forbids, whitespace collapsed, no trailing dots (leading ones go with the
// stem in withExtension, so ".pdf" still counts as a PDF extension).
func sanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			strings.ContainsRune("\"'`<>:|?*", r):
			return -1
		}
		return r
	}, name)
	return strings.TrimRight(strings.Join(strings.Fields(name), " "), " .")
}

// withExtension ends a sanitised name in an extension of the detected type
// (appending one when the given extension does not match: "bericht.exe"
// holding a PDF becomes "bericht.exe.pdf") and keeps it to 120 runes; the
// stem loses leading and trailing dots (no hidden files), and an empty stem
// becomes "datei".
func withExtension(name string, kind fileType) string {
	stem, ext := name, kind.exts[0]
	for _, e := range kind.exts {
		if given := filepath.Ext(name); strings.EqualFold(given, e) {
			stem, ext = strings.TrimSuffix(name, given), given
			break
		}
	}
	const maxRunes = 120
	if r := []rune(stem); len(r) > maxRunes-utf8.RuneCountInString(ext) {
		stem = string(r[:maxRunes-utf8.RuneCountInString(ext)])
	}
	stem = strings.Trim(stem, " .")
	if stem == "" {
		stem = "datei"
	}
	return stem + ext
}
