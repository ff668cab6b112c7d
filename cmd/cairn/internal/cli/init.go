package cli

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

//go:embed templates
var templates embed.FS

// exampleLifetime is how far ahead the example flag expires.
const exampleLifetime = 90 * 24 * time.Hour

type initOptions struct {
	Dir string
}

func newInitCmd(e Env, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a flag directory with a project file and an example flag",
		Long: `Create DIR (default: the working directory) with cairn.yaml, the project
file for the environments development, staging and production, and
flags.yaml, a commented example flag and segment. Existing files are
never overwritten.`,
		Example: `  cairn init flags
  cairn validate flags`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runInit(e, opts, cmd)
		},
	}
	return cmd
}

func runInit(e Env, opts *initOptions, cmd *cobra.Command) error {
	files, err := initFiles(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(opts.Dir, f.name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("init: %s already exists; not overwriting it", filepath.Join(opts.Dir, f.name))
		}
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(opts.Dir, f.name)
		if err := writeNew(path, f.data); err != nil {
			// Leave the directory as it was: no half-made project.
			for _, w := range written {
				os.Remove(w)
			}
			return fmt.Errorf("init: %w", err)
		}
		written = append(written, path)
	}
	out := cmd.OutOrStdout()
	for _, w := range written {
		fmt.Fprintf(out, "created %s\n", w)
	}
	fmt.Fprintf(out, "next: cairn validate %s\n", opts.Dir)
	return nil
}

type initFile struct {
	name string
	data []byte
}

// initFiles renders the templates and checks that they make a valid
// project, so that init never writes something validate rejects.
func initFiles(e Env) ([]initFile, error) {
	settings, err := templates.ReadFile("templates/cairn.yaml")
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	tmpl, err := template.ParseFS(templates, "templates/flags.yaml")
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	var flags bytes.Buffer
	expires := e.Now().Add(exampleLifetime).UTC().Format("2006-01-02")
	if err := tmpl.Execute(&flags, map[string]string{"Expires": expires}); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	files := []initFile{{"cairn.yaml", settings}, {"flags.yaml", flags.Bytes()}}
	var parsed []*ruleset.FlagFile
	for _, f := range files {
		ff, err := ruleset.ParseFile(f.name, f.data)
		if err != nil {
			return nil, fmt.Errorf("init: template: %w", err)
		}
		parsed = append(parsed, ff)
	}
	if _, err := ruleset.NewProject(parsed...); err != nil {
		return nil, fmt.Errorf("init: template: %w", err)
	}
	return files, nil
}

// writeNew creates path with data, failing if it exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
