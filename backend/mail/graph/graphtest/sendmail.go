package graphtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	netmail "net/mail"
	"slices"
	"strings"
	"time"
)

// Outgoing is one message submitted through sendMail, as it would be
// delivered: Recipients from its To, Cc and Bcc fields, Raw without Bcc.
type Outgoing struct {
	Recipients []string
	Raw        []byte
}

// maxSendMIME is Graph's limit on a sendMail request with MIME content
// (4 MB); larger messages need an upload session.
const maxSendMIME = 4 << 20

// Sent returns what sendMail accepted so far, in order.
func (s *Server) Sent() []Outgoing {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Outgoing, len(s.outgoing))
	for i, o := range s.outgoing {
		out[i] = Outgoing{Recipients: slices.Clone(o.Recipients), Raw: slices.Clone(o.Raw)}
	}
	return out
}

// sendMail serves POST /me/sendMail with MIME content (base64 in a
// text/plain body), as Graph does: the recipients come from To, Cc and
// Bcc; Bcc is removed before delivery; a copy (Bcc kept) is saved in
// Sent Items; the answer is 202 with no body.
func (s *Server) sendMail(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		graphError(w, http.StatusBadRequest, "BadRequest", "The emulator sends MIME only (Content-Type: text/plain).")
		return
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, maxSendMIME+1))
	if len(b) > maxSendMIME {
		graphError(w, http.StatusRequestEntityTooLarge, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		graphError(w, http.StatusBadRequest, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
		return
	}
	pm, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		graphError(w, http.StatusBadRequest, "ErrorMimeContentInvalid", "The MIME content is invalid.")
		return
	}
	var rcpts []string
	for _, k := range []string{"To", "Cc", "Bcc"} {
		as, _ := pm.Header.AddressList(k)
		for _, a := range as {
			rcpts = append(rcpts, a.Address)
		}
	}
	if len(rcpts) == 0 {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRecipients", "At least one recipient is not valid.")
		return
	}
	s.outgoing = append(s.outgoing, Outgoing{Recipients: rcpts, Raw: withoutField(raw, "Bcc")})
	m := parse(raw)
	m.id, m.folder, m.isRead = s.newID("msg"), s.folderByID("sentitems").id, true
	m.received = time.Now().UTC()
	s.touch(m)
	s.msgs[m.id] = m
	w.WriteHeader(http.StatusAccepted)
}

// withoutField removes a header field (and its continuation lines) from
// raw's header.
func withoutField(raw []byte, name string) []byte {
	head, body, found := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !found {
		return raw
	}
	var out bytes.Buffer
	skipping := false
	for _, line := range strings.Split(string(head), "\r\n") {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if !skipping {
				out.WriteString(line + "\r\n")
			}
			continue
		}
		k, _, _ := strings.Cut(line, ":")
		skipping = strings.EqualFold(strings.TrimSpace(k), name)
		if !skipping {
			out.WriteString(line + "\r\n")
		}
	}
	out.WriteString("\r\n")
	out.Write(body)
	return out.Bytes()
}
