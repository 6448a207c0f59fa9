"""Writes an F32 copy of a quantised GGUF: the same metadata and the same weights, dequantised.

The native runner loads the default model as the fp32 dequantisation of its Q4_1 GGUF
(scripts/convert_default_model.py). llama.cpp serving the Q4_1 file itself also quantises the
activations of every matmul to 8 bits, which moves log-probs by up to ~0.5 nats on this model;
serving this F32 copy instead computes with exactly the weights the native runner has, so the
two runners can be compared on the runner's logic rather than on quantisation.

Usage: dequantize_gguf.py IN.gguf OUT.gguf   (OUT is written whole, then renamed into place)
"""
import os
import sys

import numpy as np
import gguf
from gguf.quants import dequantize


def main():
    source, target = sys.argv[1:3]
    reader = gguf.GGUFReader(source)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
    partial = target + ".part"
    writer = gguf.GGUFWriter(partial, arch)
    for field in reader.fields.values():
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        value = field.contents()
        if field.name == gguf.Keys.General.FILE_TYPE:
            value = int(gguf.LlamaFileType.ALL_F32)
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, value, value_type, sub_type=sub_type)
    for tensor in reader.tensors:
        weights = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        writer.add_tensor(tensor.name, weights)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(partial, target)


if __name__ == "__main__":
    main()
