// Command gotemplate-ref is the reference oracle for Keelson's Go text/template + Sprig engine: it renders templates
// with Go's own text/template and Sprig's text function map (minus env/expandenv, as Helm does), so the C# engine can
// be compared with the real thing.
//
// Modes:
//
//	gotemplate-ref                       serve: JSON lines of cases on stdin, one JSON line of result per case on stdout
//	gotemplate-ref -corpus area.yaml     compile a hand-written corpus file into its golden JSON (printed on stdout);
//	                                     -quick skips checking the slow shape cases against Go
//
// Build in GOPATH mode against Debian's packages (golang-go, golang-github-masterminds-sprig-dev,
// golang-gopkg-yaml.v3-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o gotemplate-ref .
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	corpus := flag.String("corpus", "", "compile this corpus YAML file into golden JSON on stdout")
	quick := flag.Bool("quick", false, "with -corpus: do not run shape cases marked slow (their golden entry is the same)")
	flag.Parse()

	// Sprig's date functions format in the local zone and toDate parses in it. The goldens are written in UTC, so
	// they do not depend on the machine that produced them; the C# side runs its comparison in UTC too.
	time.Local = time.UTC

	if *corpus != "" {
		if err := compileCorpus(*corpus, *quick, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "gotemplate-ref: %s: %v\n", *corpus, err)
			os.Exit(1)
		}
		return
	}

	if err := serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "gotemplate-ref: %v\n", err)
		os.Exit(1)
	}
}

// serve answers one result line per case line until stdin closes, so a caller may stream thousands of cases at once
// or talk to it one case at a time.
func serve(in io.Reader, out io.Writer) error {
	reader := bufio.NewReaderSize(in, 1<<20)
	writer := bufio.NewWriterSize(out, 1<<20)
	defer writer.Flush()
	for {
		line, readErr := reader.ReadBytes('\n')
		if len(trimSpace(line)) > 0 {
			result := runLine(line)
			encoded, err := encodeResult(result)
			if err != nil {
				return err
			}
			if _, err := writer.Write(encoded); err != nil {
				return err
			}
			// Flushed per answer: if a case kills the process (Go cannot recover from a stack overflow, as when
			// printing a map that contains itself), the caller knows exactly which case it was.
			if err := writer.Flush(); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			return readErr
		}
	}
}

func trimSpace(b []byte) []byte {
	start, end := 0, len(b)
	for start < end && (b[start] == ' ' || b[start] == '\t' || b[start] == '\r' || b[start] == '\n') {
		start++
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t' || b[end-1] == '\r' || b[end-1] == '\n') {
		end--
	}
	return b[start:end]
}
