package imap

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// trickle is a server connection that hands out one byte per Read, the
// worst case for a line-based rewriter.
type trickle struct {
	net.Conn
	data    string
	written strings.Builder
}

func (c *trickle) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, io.EOF
	}
	p[0], c.data = c.data[0], c.data[1:]
	return 1, nil
}

func (c *trickle) Write(p []byte) (int, error) { return c.written.Write(p) }

func TestTolerantConnRewritesOnlyWhatBreaksTheParser(t *testing.T) {
	body := "Subject: FLAGS (\"x y\")\r\n\r\n* LIST () \"/\" \"&Jjo\"\r\n" // a literal's content is never touched
	in := "* LIST (\\HasNoChildren) \"/\" \"R&AOk-sum&AOk-\"\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"Reports &Jjo\"\r\n" +
		"* LIST () \"/\" {7}\r\nLit&Jjo\r\n" +
		"* STATUS \"Reports &Jjo\" (MESSAGES 2)\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen \"bad kw\" ok) ENVELOPE (NIL \"FLAGS (\\\"q q\\\")\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {" + strconv.Itoa(len(body)) + "}\r\n" + body + " FLAGS (kw]x))\r\n" +
		"* OK [PERMANENTFLAGS (\\Seen \\* \"z\")] ok\r\n" +
		"a1 OK done\r\n"
	want := "* LIST (\\HasNoChildren) \"/\" \"R&AOk-sum&AOk-\"\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"" + mail.EncodeFolderName("Reports ⟨&Jjo⟩") + "\"\r\n" +
		"* LIST () \"/\" \"" + mail.EncodeFolderName("Lit⟨&Jjo⟩") + "\"\r\n" +
		"* STATUS \"" + mail.EncodeFolderName("Reports ⟨&Jjo⟩") + "\" (MESSAGES 2)\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen " + mail.MalformedKeyword(`"bad kw"`) + " ok) ENVELOPE (NIL \"FLAGS (\\\"q q\\\")\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {" + strconv.Itoa(len(body)) + "}\r\n" + body + " FLAGS (" + mail.MalformedKeyword("kw]x") + "))\r\n" +
		"* OK [PERMANENTFLAGS (\\Seen \\* " + mail.MalformedKeyword(`"z"`) + ")] ok\r\n" +
		"a1 OK done\r\n"
	raw := &trickle{data: in}
	var names rawNames
	c := newTolerantConn(raw, &names)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	// The shown name goes back to the server as its raw bytes.
	if _, err := c.Write([]byte("a2 SELECT \"" + mail.EncodeFolderName("Lit⟨&Jjo⟩") + "\"\r\n")); err != nil {
		t.Fatal(err)
	}
	if w := raw.written.String(); w != "a2 SELECT \"Lit&Jjo\"\r\n" {
		t.Errorf("wrote %q", w)
	}
}

// FuzzTolerantConn runs any server stream, cut at any point, through the
// rewriter: no panic, nothing lost, and a stream with no folder name or
// flag list to rewrite passes byte for byte.
func FuzzTolerantConn(f *testing.F) {
	f.Add("* LIST () \"/\" \"&Jjo\"\r\n* 1 FETCH (FLAGS (\"x\") BODY[] {3}\r\nabc)\r\na OK\r\n", uint8(3))
	f.Add("* STATUS {4}\r\n&Jjo (MESSAGES 1)\r\n", uint8(1))
	f.Add("* OK [PERMANENTFLAGS (\\* kw]x)] x\r\n* LIST (\\X) NIL \"a\\\"&b\"\r\n", uint8(7))
	f.Fuzz(func(t *testing.T, stream string, cut uint8) {
		step := int(cut)%16 + 1
		raw := &chunked{data: stream, step: step}
		got, err := io.ReadAll(newTolerantConn(raw, &rawNames{}))
		if err != nil {
			t.Fatal(err)
		}
		upper := strings.ToUpper(stream)
		if !strings.Contains(upper, "FLAGS (") && !strings.Contains(upper, "* LIST ") && !strings.Contains(upper, "* LSUB ") && !strings.Contains(upper, "* STATUS ") {
			if string(got) != stream {
				t.Fatalf("stream changed:\n%q\n%q", stream, got)
			}
		}
		if len(got) < len(stream)/2 {
			t.Fatalf("%d of %d bytes came through", len(got), len(stream))
		}
	})
}

// chunked hands out its data step bytes per Read.
type chunked struct {
	net.Conn
	data string
	step int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.step)], c.data)
	c.data = c.data[n:]
	return n, nil
}
