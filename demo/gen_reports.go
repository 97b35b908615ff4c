//go:build ignore

// gen_reports writes the generated demo reports (demo/internal/reportgen)
// into corpus/. Run it with go generate ./demo/.
package main

import (
	"log"
	"os"
	"path/filepath"

	"github.com/mailtriage/mailtriage/demo/internal/reportgen"
)

func main() {
	for _, f := range reportgen.Files() {
		path := filepath.Join("corpus", reportgen.Dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
