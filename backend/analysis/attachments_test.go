package analysis

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

func zipOf(t testing.TB, encrypted bool, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Store}
		if encrypted {
			h.Flags |= 1
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("content of " + n))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oleOf builds a compound file holding directory entries with the given
// names (type 2, stream), enough for the sniffer.
func oleOf(names ...string) []byte {
	b := make([]byte, 512, 512+128*len(names))
	copy(b, magicOLE)
	for _, n := range names {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(n))
		for i, c := range u {
			binary.LittleEndian.PutUint16(e[2*i:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66] = 2
		b = append(b, e...)
	}
	return b
}

func sevenZipOf(header []byte) []byte {
	b := make([]byte, 32)
	copy(b, magic7z)
	binary.LittleEndian.PutUint64(b[12:], 10)
	binary.LittleEndian.PutUint64(b[20:], uint64(len(header)))
	b = append(b, make([]byte, 10)...)
	return append(b, header...)
}

func isoOf() []byte {
	b := make([]byte, 0x8010)
	copy(b[0x8001:], "CD001")
	return b
}

func TestAnalyzeAttachment(t *testing.T) {
	pe := append([]byte("MZ\x90\x00"), make([]byte, 200)...)
	for _, tt := range []struct {
		name, ctype string
		content     []byte
		sniffed     string
		ext         string
		flags       []string
		entries     []string
	}{
		{"invoice.pdf.exe", "application/octet-stream", pe, "pe", "exe", []string{AttachExecutable, AttachDoubleExt}, nil},
		{"report.pdf", "application/pdf", pe, "pe", "pdf", []string{AttachExecutable, AttachMismatch}, nil},
		{"invoice\u202Efdp.exe", "application/octet-stream", pe, "pe", "exe", []string{AttachExecutable, AttachDoubleExt, AttachBidiName}, nil},
		{"invoice.pdf          .scr", "application/octet-stream", pe, "pe", "scr", []string{AttachExecutable, AttachDoubleExt}, nil},
		{"photo.jpg.exe. ", "image/jpeg", pe, "pe", "exe", []string{AttachExecutable, AttachDoubleExt, AttachMismatch}, nil},
		{"pay\u200Broll.exe", "", pe, "pe", "exe", []string{AttachExecutable, AttachHiddenChars}, nil},
		{"run.js", "text/javascript", []byte("var s = new ActiveXObject('WScript.Shell');"), "text", "js", []string{AttachExecutable}, nil},
		{"a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			zipOf(t, false, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "docx", "docx", []string{AttachMacros}, nil},
		{"a.xlsm", "", zipOf(t, false, "[Content_Types].xml", "xl/workbook.xml"), "xlsx", "xlsm", []string{AttachMacroCapable}, nil},
		{"a.docx", "", zipOf(t, false, "readme.txt"), "zip", "docx", []string{AttachArchive, AttachMismatch}, nil},
		{"docs.zip", "application/zip", zipOf(t, true, "doc.pdf", "Invoice.pdf.exe", "setup.msi", "disk.iso"), "zip", "zip",
			[]string{AttachArchive, AttachEncrypted, AttachDangerInside}, []string{"Invoice.pdf.exe", "setup.msi", "disk.iso"}},
		{"x.jar", "", zipOf(t, false, "META-INF/MANIFEST.MF", "a/B.class"), "jar", "jar", []string{AttachExecutable}, nil},
		{"old.doc", "application/msword", oleOf("Root Entry", "WordDocument", "Macros", "VBA"), "doc", "doc", []string{AttachMacros}, nil},
		{"book.xls", "", oleOf("Root Entry", "Workbook", "_VBA_PROJECT_CUR"), "xls", "xls", []string{AttachMacros}, nil},
		{"secret.docx", "", oleOf("Root Entry", "EncryptionInfo", "EncryptedPackage"), "ooxml_encrypted", "docx", []string{AttachEncrypted}, nil},
		{"mail.msg", "", oleOf("Root Entry", "__substg1.0_0037001F"), "msg", "msg", nil, nil},
		{"a.rar", "", append([]byte("Rar!\x1a\x07\x00"), 0, 0, 0x73, 0x80, 0x00, 13, 0, 0, 0, 0, 0, 0, 0), "rar", "rar", []string{AttachArchive, AttachEncrypted}, nil},
		{"b.rar", "", append([]byte("Rar!\x1a\x07\x00"), 0, 0, 0x73, 0x00, 0x00, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x74, 0x04, 0x80, 32, 0), "rar", "rar", []string{AttachArchive, AttachEncrypted}, nil},
		{"c.rar", "", append([]byte("Rar!\x1a\x07\x00"), 0, 0, 0x73, 0x00, 0x00, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x74, 0x00, 0x80, 32, 0), "rar", "rar", []string{AttachArchive}, nil},
		{"d.rar", "", append([]byte("Rar!\x1a\x07\x01\x00"), 1, 2, 3, 4, 12, 4, 0), "rar", "rar", []string{AttachArchive, AttachEncrypted}, nil},
		{"e.7z", "", sevenZipOf([]byte{0x01, 0x04, 0x06, 0x00, 0x06, 0xF1, 0x07, 0x01}), "7z", "7z", []string{AttachArchive, AttachEncrypted}, nil},
		{"f.7z", "", sevenZipOf([]byte{0x17, 0x06, 0x00}), "7z", "7z", []string{AttachArchive}, nil},
		{"disk.img", "", isoOf(), "iso", "img", []string{AttachDiskImage}, nil},
		{"report.pdf", "", isoOf(), "iso", "pdf", []string{AttachDiskImage, AttachMismatch}, nil},
		{"shortcut.lnk", "", append(slices.Clone(magicLNK), 0, 0), "lnk", "lnk", []string{AttachExecutable}, nil},
		{"doc.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj << /OpenAction 2 0 R >>"), "pdf", "pdf", []string{AttachActiveContent}, nil},
		{"doc.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj << /JSFoo 1 >>"), "pdf", "pdf", nil, nil},
		{"login.html", "text/html", []byte("<!DOCTYPE html><form action=x><script>atob('x')</script>"), "html", "html", []string{AttachActiveContent}, nil},
		{"note.one", "", slices.Clone(magicOneNote), "onenote", "one", []string{AttachExecutable}, nil},
		{"fwd.eml", "message/rfc822", []byte("From: a@b.example\r\nSubject: x\r\n\r\nbody"), "eml", "eml", []string{AttachNestedMessage}, nil},
		{"attached.eml", "application/octet-stream", []byte("From: a@b.example\nTo: c@d.example\n\nbody"), "eml", "eml", []string{AttachNestedMessage}, nil},
		{"notes.eml", "application/octet-stream", []byte("just text"), "text", "eml", nil, nil},
		{"tiny", "", nil, "", "", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := AnalyzeAttachment(tt.name, tt.ctype, "attachment", tt.content)
			slices.Sort(a.Flags)
			want := slices.Clone(tt.flags)
			slices.Sort(want)
			if a.SniffedType != tt.sniffed || a.Extension != tt.ext || !slices.Equal(a.Flags, want) || !slices.Equal(a.Entries, tt.entries) {
				t.Errorf("got sniffed %q ext %q flags %v entries %q\nwant sniffed %q ext %q flags %v entries %q",
					a.SniffedType, a.Extension, a.Flags, a.Entries, tt.sniffed, tt.ext, want, tt.entries)
			}
			if a.Size != len(tt.content) {
				t.Errorf("size %d, want %d", a.Size, len(tt.content))
			}
		})
	}
}

func TestAttachmentHashes(t *testing.T) {
	a := AnalyzeAttachment("abc.txt", "text/plain", "", []byte("abc"))
	if a.MD5 != "900150983cd24fb0d6963f7d28e17f72" || a.SHA1 != "a9993e364706816aba3e25717850c26c9cd0d89d" ||
		a.SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("hashes %s %s %s", a.MD5, a.SHA1, a.SHA256)
	}
}

func TestIsNestedMessage(t *testing.T) {
	for _, tt := range []struct {
		name, ctype, content string
		want                 bool
	}{
		{"", "message/rfc822", "", true},
		{"", "Message/RFC822; name=x", "", true},
		{"x.eml", "application/octet-stream", "Received: x\nFrom: y\n\n", true},
		{"x.eml", "application/octet-stream", "<html>", false},
		{"x.txt", "text/plain", "From: a\nTo: b\n\n", false},
	} {
		if got := IsNestedMessage(tt.name, tt.ctype, []byte(tt.content)); got != tt.want {
			t.Errorf("IsNestedMessage(%q, %q) = %v", tt.name, tt.ctype, got)
		}
	}
}

func FuzzAttachments(f *testing.F) {
	f.Add("a.pdf.exe", "application/pdf", []byte("MZ"))
	f.Add("a.docx", "", zipOf(f, true, "[Content_Types].xml", "word/vbaProject.bin", "x.pdf.exe"))
	f.Add("a.doc", "", oleOf("WordDocument", "Macros"))
	f.Add("a.rar", "", []byte("Rar!\x1a\x07\x01\x00\x01\x02\x03\x04\xff\xff"))
	f.Add("a.7z", "", sevenZipOf([]byte{6, 0xF1, 7, 1}))
	f.Add("x\u202Efdp.scr", "message/rfc822", []byte("From: a\n\n"))
	f.Fuzz(func(t *testing.T, name, ctype string, content []byte) {
		a := AnalyzeAttachment(name, ctype, "", content)
		if a.Size != len(content) || len(a.SHA256) != 64 || len(a.MD5) != 32 || len(a.SHA1) != 40 {
			t.Errorf("size or hashes wrong: %+v", a)
		}
		if len(a.Entries) > maxEntriesKept {
			t.Errorf("%d entries kept", len(a.Entries))
		}
		if strings.ContainsAny(a.Extension, "/\\") {
			t.Errorf("extension %q holds a path separator", a.Extension)
		}
	})
}
