package analysis

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"path"
	"strings"
	"unicode/utf8"
)

// Attachment is what can be told about one part without opening it in
// anything but this code. Name is untrusted and NOT safe to display.
type Attachment struct {
	Name         string `json:"name"`
	DeclaredType string `json:"declared_type"`
	Disposition  string `json:"disposition,omitempty"`
	// SniffedType is what the content is by its magic bytes: pe, elf,
	// macho, zip, docx, xlsx, pptx, ooxml, jar, apk, odf, ole, doc, xls,
	// ppt, msg, ooxml_encrypted, pdf, rar, 7z, gzip, bzip2, xz, cab, iso,
	// vhd, lnk, onenote, rtf, html, svg, script, text, png, jpeg, gif,
	// eml; "" when unknown.
	SniffedType string `json:"sniffed_type,omitempty"`
	Size        int    `json:"size"`
	MD5         string `json:"md5"`
	SHA1        string `json:"sha1"`
	SHA256      string `json:"sha256"`
	// Extension is the real extension, lower case, as Windows would take
	// it (trailing dots and spaces dropped): "exe" for "a.pdf.exe. ".
	Extension string `json:"extension,omitempty"`
	// Flags: see the Attach… constants.
	Flags []string `json:"flags,omitempty"`
	// Entries lists names inside an archive that are themselves
	// dangerous (up to 20).
	Entries []string `json:"entries,omitempty"`
}

// Attachment flags.
const (
	AttachExecutable    = "executable"    // a program or script that runs when opened
	AttachMacros        = "macros"        // an Office document carrying VBA macros
	AttachMacroCapable  = "macro_capable" // an Office type that can carry macros (docm, xlsm, …)
	AttachArchive       = "archive"       // a container that hides its content from a quick look
	AttachEncrypted     = "encrypted"     // password-protected: no scanner on the way could look inside
	AttachDiskImage     = "disk_image"    // ISO/IMG/VHD: bypasses mark-of-the-web
	AttachMismatch      = "type_mismatch" // the extension does not match the content
	AttachDoubleExt     = "double_extension"
	AttachBidiName      = "bidi_name"      // the name holds bidi controls that reorder what is shown
	AttachHiddenChars   = "hidden_chars"   // the name holds other invisible or control characters
	AttachNestedMessage = "nested_message" // a message/rfc822 part: analyse it as a message
	AttachActiveContent = "active_content" // PDF actions/JavaScript, SVG/HTML scripts, RTF objects
	AttachDangerInside  = "dangerous_entry"
)

// executableExts run code when the recipient opens them on Windows (or
// macOS/Linux for the last few).
var executableExts = set("exe", "scr", "com", "pif", "cpl", "dll", "msi", "msp", "msix", "appx", "appxbundle",
	"bat", "cmd", "ps1", "psm1", "psd1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "wsc", "hta", "sct",
	"lnk", "url", "scf", "reg", "inf", "jar", "chm", "application", "gadget", "msc", "xll", "xlam",
	"ppam", "iqy", "slk", "settingcontent-ms", "library-ms", "search-ms", "appref-ms", "cab", "one",
	"apk", "app", "command", "sh", "py", "pl", "rb", "elf", "run", "deb", "rpm", "dmg", "pkg")

var diskImageExts = set("iso", "img", "vhd", "vhdx", "udf")
var archiveExts = set("zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "arj", "lzh", "ace", "z", "zipx", "r00", "r01")
var macroExts = set("docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm")

// decoyExts are what a double extension pretends to be.
var decoyExts = set("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "jpg", "jpeg", "png",
	"gif", "bmp", "tif", "tiff", "mp3", "mp4", "avi", "mov", "wav", "htm", "html", "csv", "odt", "ods",
	"zip", "rar", "eml", "msg", "xml", "json", "svg", "ics", "vcf")

// sniffedExts lists, per sniffed type, the extensions that fit it. A type
// not listed never makes a mismatch (text, script, html: too fuzzy).
var sniffedExts = map[string]map[string]bool{
	"pe":              set("exe", "dll", "scr", "com", "cpl", "sys", "ocx", "efi", "drv", "mui", "pif", "xll", "ax", "tmp", "bin", "dat"),
	"elf":             set("elf", "so", "bin", "run", "o", "ko", ""),
	"macho":           set("dylib", "bundle", "app", "bin", "o", ""),
	"pdf":             set("pdf", "ai"),
	"zip":             set("zip", "zipx", "jar", "apk", "xpi", "crx", "nupkg", "vsix", "epub", "kmz", "ipa", "appx", "msix", "whl", "cbz", "aar", "war", "ear"),
	"docx":            set("docx", "docm", "dotx", "dotm"),
	"xlsx":            set("xlsx", "xlsm", "xltx", "xltm", "xlam", "xlsb"),
	"pptx":            set("pptx", "pptm", "potx", "potm", "ppsx", "ppsm", "ppam", "sldx", "sldm"),
	"jar":             set("jar", "war", "ear", "zip"),
	"apk":             set("apk", "zip", "aab"),
	"odf":             set("odt", "ods", "odp", "odg", "ott", "ots", "otp"),
	"ole":             set("doc", "dot", "xls", "xlt", "xla", "ppt", "pot", "pps", "msi", "msg", "msp", "mst", "pub", "vsd", "db", "xlsb", "docx", "xlsx", "pptx", "one"),
	"doc":             set("doc", "dot", "docx", "docm", "rtf", "wbk"),
	"xls":             set("xls", "xlt", "xla", "xlsx", "xlsm", "xlsb"),
	"ppt":             set("ppt", "pot", "pps", "pptx", "pptm"),
	"msg":             set("msg", "oft"),
	"ooxml_encrypted": set("docx", "docm", "xlsx", "xlsm", "xlsb", "pptx", "pptm", "dotx", "xltx", "potx"),
	"rar":             set("rar", "r00", "r01", "cbr"),
	"7z":              set("7z", "cb7"),
	"gzip":            set("gz", "tgz", "gzip", "svgz"),
	"bzip2":           set("bz2", "tbz", "tbz2"),
	"xz":              set("xz", "txz"),
	"cab":             set("cab", "msu"),
	"iso":             set("iso", "img", "udf"),
	"vhd":             set("vhd", "vhdx"),
	"lnk":             set("lnk"),
	"onenote":         set("one", "onetoc2"),
	"png":             set("png"),
	"jpeg":            set("jpg", "jpeg", "jpe", "jfif"),
	"gif":             set("gif"),
	"rtf":             set("rtf", "doc", "wri"),
}

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// maxZipEntries caps the archive entries looked at.
const (
	maxZipEntries  = 10000
	maxEntriesKept = 20
)

// AnalyzeAttachment hashes and classifies one part. It reads content only
// in memory; nothing is unpacked to disk or run.
func AnalyzeAttachment(name, declaredType, disposition string, content []byte) Attachment {
	a := Attachment{
		Name:         name,
		DeclaredType: strings.ToLower(strings.TrimSpace(declaredType)),
		Disposition:  disposition,
		Size:         len(content),
	}
	m, s1, s256 := md5.Sum(content), sha1.Sum(content), sha256.Sum256(content)
	a.MD5, a.SHA1, a.SHA256 = hex.EncodeToString(m[:]), hex.EncodeToString(s1[:]), hex.EncodeToString(s256[:])

	var sn sniff
	sn.run(content)
	a.SniffedType = sn.kind
	a.Entries = sn.entries

	ext, double := extensionOf(name)
	a.Extension = ext
	flag := func(f string) {
		if !hasFlag(a.Flags, f) {
			a.Flags = append(a.Flags, f)
		}
	}
	switch {
	case executableExts[ext], sn.executable:
		flag(AttachExecutable)
	}
	if macroExts[ext] {
		flag(AttachMacroCapable)
	}
	if sn.macros {
		flag(AttachMacros)
	}
	if archiveExts[ext] || sn.archive {
		flag(AttachArchive)
	}
	if sn.encrypted {
		flag(AttachEncrypted)
	}
	if diskImageExts[ext] || sn.kind == "iso" || sn.kind == "vhd" {
		flag(AttachDiskImage)
	}
	if sn.active {
		flag(AttachActiveContent)
	}
	if len(sn.entries) > 0 {
		flag(AttachDangerInside)
	}
	if fits, known := sniffedExts[sn.kind]; known && !fits[ext] || !declaredFits(a.DeclaredType, sn.kind) {
		flag(AttachMismatch)
	}
	if double {
		flag(AttachDoubleExt)
	}
	if t := SanitizeLine(name); t.Markers > 0 {
		bidi := false
		for _, s := range t.Segs {
			bidi = bidi || s.Kind == Bidi
		}
		if bidi {
			flag(AttachBidiName)
		} else {
			flag(AttachHiddenChars)
		}
	}
	if IsNestedMessage(name, declaredType, content) {
		flag(AttachNestedMessage)
	}
	return a
}

// declaredKinds lists, per declared content type, the sniffed types that
// fit it; a type not listed is not judged.
var declaredKinds = map[string]map[string]bool{
	"application/pdf":          set("pdf"),
	"image/jpeg":               set("jpeg"),
	"image/png":                set("png"),
	"image/gif":                set("gif"),
	"application/msword":       set("doc", "ole", "rtf", "docx"),
	"application/vnd.ms-excel": set("xls", "ole", "xlsx"),
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   set("docx", "ooxml", "ooxml_encrypted"),
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         set("xlsx", "ooxml", "ooxml_encrypted"),
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": set("pptx", "ooxml", "ooxml_encrypted"),
	"text/plain": set("text", "eml", "html", "script", "svg"),
	"text/html":  set("html", "text", "svg"),
}

// declaredFits reports whether content sniffed as kind may carry the
// declared type; unknown kinds and types are not judged.
func declaredFits(declared, kind string) bool {
	if kind == "" {
		return true
	}
	t, _, _ := strings.Cut(declared, ";")
	fits, known := declaredKinds[strings.TrimSpace(t)]
	return !known || fits[kind]
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// HasFlag reports whether the attachment carries flag f.
func (a Attachment) HasFlag(f string) bool { return hasFlag(a.Flags, f) }

// extensionOf returns the extension Windows would act on and whether the
// name hides it behind a decoy one: "invoice.pdf.exe", "invoice.pdf
// .exe", "invoice\u202Efdp.exe" (which displays as "invoiceexe.pdf").
func extensionOf(name string) (ext string, double bool) {
	// Windows drops trailing dots and spaces; invisible characters are
	// dropped to find what the shell sees.
	clean := strings.Map(func(r rune) rune {
		if r == utf8.RuneError || isInvisible(r) {
			return -1
		}
		return r
	}, name)
	clean = strings.TrimRight(path.Base(strings.ReplaceAll(clean, "\\", "/")), ". ")
	i := strings.LastIndexByte(clean, '.')
	if i < 0 {
		return "", false
	}
	ext = strings.ToLower(clean[i+1:])
	if !executableExts[ext] && !diskImageExts[ext] && !archiveExts[ext] {
		return ext, false
	}
	if strings.ContainsRune(name, '\u202E') || strings.ContainsRune(name, '\u202D') {
		return ext, true // reordered display: always a trick
	}
	stem := strings.TrimRight(clean[:i], " ._-")
	j := strings.LastIndexByte(stem, '.')
	if j < 0 {
		return ext, false
	}
	decoy := strings.ToLower(strings.TrimSpace(stem[j+1:]))
	return ext, decoyExts[decoy] && decoy != ext
}

// isInvisible reports bidi controls and zero-width characters.
func isInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
		r == 0xFEFF, r == 0x00AD, r == 0x2060, r == 0x180E:
		return true
	}
	return false
}

// IsNestedMessage reports whether a part is a whole message — a
// message/rfc822 part or an attached .eml — that the caller should parse
// and analyse in its own right.
func IsNestedMessage(name, declaredType string, content []byte) bool {
	t := strings.ToLower(strings.TrimSpace(declaredType))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if t == "message/rfc822" || t == "message/global" {
		return true
	}
	ext, _ := extensionOf(name)
	return ext == "eml" && looksLikeMessage(content)
}

// looksLikeMessage reports whether content starts with header fields.
func looksLikeMessage(b []byte) bool {
	head := b[:min(len(b), 4096)]
	n := 0
	for line := range bytes.SplitSeq(head, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			return false
		}
		n++
	}
	return n >= 2
}

// sniff is what the magic bytes say.
type sniff struct {
	kind       string
	executable bool
	archive    bool
	encrypted  bool
	macros     bool
	active     bool
	entries    []string
}

var (
	magicOLE     = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magic7z      = []byte{'7', 'z', 0xBC, 0xAF, 0x27, 0x1C}
	magicLNK     = []byte{0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}
	magicOneNote = []byte{0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3}
)

func (s *sniff) run(b []byte) {
	has := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	switch {
	case has("MZ"):
		s.kind = "pe"
		s.executable = true
	case has("\x7fELF"):
		s.kind, s.executable = "elf", true
	case isMachO(b):
		s.kind, s.executable = "macho", true
	case has("PK\x03\x04"), has("PK\x05\x06"):
		s.zip(b)
	case bytes.HasPrefix(b, magicOLE):
		s.ole(b)
	case has("Rar!\x1a\x07"):
		s.kind, s.archive = "rar", true
		s.encrypted = rarEncrypted(b)
	case bytes.HasPrefix(b, magic7z):
		s.kind, s.archive = "7z", true
		s.encrypted = sevenZipEncrypted(b)
	case has("\x1f\x8b"):
		s.kind, s.archive = "gzip", true
	case has("BZh"):
		s.kind, s.archive = "bzip2", true
	case has("\xfd7zXZ\x00"):
		s.kind, s.archive = "xz", true
	case has("MSCF"):
		s.kind, s.archive = "cab", true
	case bytes.HasPrefix(b, magicLNK):
		s.kind, s.executable = "lnk", true
	case bytes.HasPrefix(b, magicOneNote):
		s.kind = "onenote"
		s.active = bytes.Contains(b, []byte{0xE7, 0x16, 0xE3, 0xBD, 0x65, 0x26, 0x11, 0x45, 0xA4, 0xC4, 0x8D, 0x4D, 0x0B, 0x7A, 0x9E, 0xAC}) // FileDataStoreObject: an embedded file
	case has("conectix"), has("vhdxfile"):
		s.kind = "vhd"
	case isISO(b):
		s.kind = "iso"
	case has("\x89PNG\r\n\x1a\n"):
		s.kind = "png"
	case has("\xff\xd8\xff"):
		s.kind = "jpeg"
	case has("GIF87a"), has("GIF89a"):
		s.kind = "gif"
	case has("{\\rt"):
		s.kind = "rtf"
		s.active = bytes.Contains(b, []byte("\\objdata")) || bytes.Contains(b, []byte("\\object"))
	case bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-")):
		s.kind = "pdf"
		s.active = pdfActive(b)
	default:
		s.text(b)
	}
}

func isMachO(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	switch binary.BigEndian.Uint32(b) {
	case 0xFEEDFACE, 0xFEEDFACF, 0xCEFAEDFE, 0xCFFAEDFE:
		return true
	case 0xCAFEBABE: // universal binary, or a Java class: tell by the count
		n := binary.BigEndian.Uint32(b[4:])
		return n > 0 && n < 20
	}
	return false
}

func isISO(b []byte) bool {
	for _, off := range []int{0x8001, 0x8801, 0x9001} {
		if len(b) >= off+5 && string(b[off:off+5]) == "CD001" {
			return true
		}
	}
	return false
}

// pdfActive looks for the PDF names that run or launch something. They
// may hide in compressed object streams, so absence proves nothing.
func pdfActive(b []byte) bool {
	for _, n := range []string{"/JavaScript", "/JS", "/OpenAction", "/Launch", "/EmbeddedFile", "/AA", "/SubmitForm", "/RichMedia"} {
		if i := bytes.Index(b, []byte(n)); i >= 0 {
			// "/JS" must not be a prefix of a longer name such as /JSFoo.
			end := i + len(n)
			if end >= len(b) || !isNameChar(b[end]) {
				return true
			}
		}
	}
	return false
}

func isNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// zip classifies a ZIP file by its entries: OOXML, ODF, JAR, APK or a
// plain archive; encryption is the general-purpose flag bit 0.
func (s *sniff) zip(b []byte) {
	s.kind = "zip"
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		// A truncated or hostile archive: the first local header still
		// tells about encryption.
		s.archive = true
		if len(b) >= 8 && binary.LittleEndian.Uint16(b[6:])&1 != 0 {
			s.encrypted = true
		}
		return
	}
	var ooxml, word, xl, ppt, manifest, android, odf bool
	for i, f := range r.File {
		if i >= maxZipEntries {
			break
		}
		name := f.Name
		lower := strings.ToLower(name)
		switch {
		case name == "[Content_Types].xml":
			ooxml = true
		case strings.HasPrefix(name, "word/"):
			word = true
		case strings.HasPrefix(name, "xl/"):
			xl = true
		case strings.HasPrefix(name, "ppt/"):
			ppt = true
		case name == "META-INF/MANIFEST.MF":
			manifest = true
		case name == "AndroidManifest.xml":
			android = true
		case name == "mimetype" && i == 0:
			odf = true
		}
		if strings.HasSuffix(lower, "vbaproject.bin") {
			s.macros = true
		}
		if f.Flags&1 != 0 {
			s.encrypted = true
		}
		ext, double := extensionOf(name)
		if (executableExts[ext] || diskImageExts[ext] || double) && len(s.entries) < maxEntriesKept {
			s.entries = append(s.entries, name)
		}
	}
	switch {
	case ooxml && word:
		s.kind = "docx"
	case ooxml && xl:
		s.kind = "xlsx"
	case ooxml && ppt:
		s.kind = "pptx"
	case ooxml:
		s.kind = "ooxml"
	case android:
		s.kind, s.executable = "apk", true
	case manifest:
		s.kind, s.executable = "jar", true
	case odf:
		s.kind = "odf"
	default:
		s.archive = true
	}
}

// ole classifies an OLE2 compound file by its directory entry names.
// Directory entries are 128 bytes and always 128-byte aligned (sectors are
// 512 or 4096 bytes after a 512-byte header), with the name in UTF-16LE
// and its byte length at offset 64, so scanning the aligned slots finds
// them without following the FAT chains.
func (s *sniff) ole(b []byte) {
	s.kind = "ole"
	names := map[string]bool{}
	msg := false
	for off := 512; off+128 <= len(b); off += 128 {
		n := int(binary.LittleEndian.Uint16(b[off+64:]))
		if n < 4 || n > 64 || n%2 != 0 || b[off+n-1] != 0 || b[off+n-2] != 0 {
			continue
		}
		typ := b[off+66]
		if typ < 1 || typ > 5 {
			continue
		}
		name, ok := utf16Name(b[off : off+n-2])
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(name, "__substg1.0_"):
			msg = true
		case name == "WordDocument", name == "Workbook", name == "Book", name == "PowerPoint Document",
			name == "_VBA_PROJECT", name == "_VBA_PROJECT_CUR", name == "VBA", name == "Macros",
			name == "EncryptedPackage", name == "EncryptionInfo", name == "Ole10Native", name == "\x01Ole10Native":
			names[name] = true
		}
	}
	switch {
	case names["WordDocument"]:
		s.kind = "doc"
	case names["Workbook"] || names["Book"]:
		s.kind = "xls"
	case names["PowerPoint Document"]:
		s.kind = "ppt"
	case msg:
		s.kind = "msg"
	case names["EncryptedPackage"]:
		s.kind = "ooxml_encrypted"
	}
	s.macros = names["_VBA_PROJECT"] || names["_VBA_PROJECT_CUR"] || names["VBA"] || names["Macros"]
	s.encrypted = names["EncryptedPackage"]
	s.active = names["Ole10Native"] || names["\x01Ole10Native"]
}

func utf16Name(b []byte) (string, bool) {
	var sb strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 || c >= 0xD800 && c < 0xE000 {
			return "", false
		}
		sb.WriteRune(rune(c))
	}
	return sb.String(), true
}

// rarEncrypted reads the flags of a RAR archive's first headers: in RAR 4
// the main header's "block headers are encrypted" bit or the first file
// header's "encrypted" bit; in RAR 5 an archive encryption header right
// after the signature. File-level encryption in RAR 5 is not detected.
func rarEncrypted(b []byte) bool {
	if bytes.HasPrefix(b, []byte("Rar!\x1a\x07\x01\x00")) {
		p := b[8:]
		if len(p) < 5 {
			return false
		}
		p = p[4:]          // CRC32
		_, n := uvarint(p) // header size
		if n <= 0 {
			return false
		}
		typ, m := uvarint(p[n:])
		return m > 0 && typ == 4
	}
	if len(b) < 14 {
		return false
	}
	p := b[7:]
	if p[2] != 0x73 {
		return false
	}
	flags := binary.LittleEndian.Uint16(p[3:])
	if flags&0x0080 != 0 {
		return true
	}
	size := int(binary.LittleEndian.Uint16(p[5:]))
	if size < 7 || len(p) < size+7 {
		return false
	}
	f := p[size:]
	return f[2] == 0x74 && binary.LittleEndian.Uint16(f[3:])&0x04 != 0
}

func uvarint(b []byte) (uint64, int) {
	v, n := binary.Uvarint(b)
	return v, n
}

// sevenZipEncrypted looks for the 7-Zip AES coder id (06 F1 07 01) in the
// archive's header, which the start header locates at its end. A header
// that is itself compressed hides the coders, so false means unknown.
func sevenZipEncrypted(b []byte) bool {
	if len(b) < 32 {
		return false
	}
	off := binary.LittleEndian.Uint64(b[12:])
	size := binary.LittleEndian.Uint64(b[20:])
	start := uint64(32) + off
	if off > uint64(len(b)) || size > uint64(len(b)) || start > uint64(len(b)) || start+size > uint64(len(b)) {
		return false
	}
	return bytes.Contains(b[start:start+size], []byte{0x06, 0xF1, 0x07, 0x01})
}

// text sniffs textual content: HTML, SVG, a script, an e-mail, or text.
func (s *sniff) text(b []byte) {
	head := b[:min(len(b), 1024)]
	if len(head) == 0 || bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimPartialRune(head)) {
		return
	}
	lower := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
	lower = bytes.TrimPrefix(lower, []byte("\xef\xbb\xbf"))
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")),
		bytes.HasPrefix(lower, []byte("<head")), bytes.HasPrefix(lower, []byte("<body")),
		bytes.HasPrefix(lower, []byte("<script")), bytes.HasPrefix(lower, []byte("<meta")),
		bytes.HasPrefix(lower, []byte("<iframe")), bytes.HasPrefix(lower, []byte("<form")):
		s.kind = "html"
		s.active = htmlActive(b)
	case bytes.Contains(lower, []byte("<svg")):
		s.kind = "svg"
		s.active = htmlActive(b)
	case bytes.HasPrefix(lower, []byte("#!")):
		s.kind, s.executable = "script", true
	case looksLikeMessage(b):
		s.kind = "eml"
	default:
		s.kind = "text"
	}
}

func htmlActive(b []byte) bool {
	lower := bytes.ToLower(b[:min(len(b), 1<<20)])
	for _, p := range []string{"<script", "javascript:", "onload=", "onerror=", "<form", "http-equiv=\"refresh\"", "http-equiv=refresh", "atob(", "<iframe", "<embed", "<object"} {
		if bytes.Contains(lower, []byte(p)) {
			return true
		}
	}
	return false
}

// trimPartialRune drops an incomplete rune cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}
