{
  "targets": [
    {
      "target_name": "recmesh_cpu",
      "sources": ["native/addon.cc", "native/kernel.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti", "-std=gnu++17"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/std:c++17"] }
      }
    }
  ]
}
