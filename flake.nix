{
  description = "Recurrent dynamics catalog: pure-numpy classic learning problems about recurrent dynamics";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in {
      # `nix develop`: python with numpy, matplotlib, pillow, pytest (with pytest-xdist) and jsonschema,
      # plus ruff and mdbook.
      # requirements.txt pins the exact versions CI uses; nixpkgs versions may differ slightly.
      devShells = forAll (pkgs: {
        default = pkgs.mkShell {
          packages = [
            (pkgs.python311.withPackages (ps: [ ps.numpy ps.matplotlib ps.pillow ps.pytest ps.pytest-xdist ps.jsonschema ]))
            pkgs.ruff
            pkgs.mdbook
          ];
          shellHook = ''
            export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
          '';
        };
      });
    };
}
