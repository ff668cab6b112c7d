package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cairnflags/cairn/ruleset"
)

// loadProject loads the flag directory dir. Problems name files as paths
// from the working directory (flags/cairn.yaml), so editors can jump to them.
func loadProject(dir string) (*ruleset.Project, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("flag directory %s does not exist", dir)
	case err != nil:
		return nil, fmt.Errorf("flag directory: %w", err)
	case !st.IsDir():
		return nil, usagef("%s is not a directory", dir)
	}
	p, err := ruleset.LoadProject(os.DirFS(dir))
	var problems ruleset.Problems
	if errors.As(err, &problems) {
		return nil, relocate(problems, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return p, nil
}

// relocate prefixes the file of every problem with dir.
func relocate(problems ruleset.Problems, dir string) ruleset.Problems {
	out := make(ruleset.Problems, len(problems))
	for i, p := range problems {
		if p.File != "" {
			p.File = filepath.Join(dir, filepath.FromSlash(p.File))
		}
		out[i] = p
	}
	return out
}

// checkEnv reports a usage error when env is not one of the project's.
func checkEnv(p *ruleset.Project, env string) error {
	envs := p.Environments()
	if !slices.Contains(envs, env) {
		return usagef("environment %q is not in the project file (have: %s)", env, strings.Join(envs, ", "))
	}
	return nil
}

// dirArg is the optional [DIR] argument; the default is the working
// directory.
func dirArg(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "."
}
