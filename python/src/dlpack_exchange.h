// DLPack in and out of vyre.Array: export shares the device memory where the consumer can
// address it (host memory of the reference backend, CUDA device memory), import adopts the
// producer's memory the same way (the producer's deleter runs when the last use is done).
#pragma once

#include <pybind11/pybind11.h>

namespace vyre::python {

struct DeviceArray;

pybind11::capsule dlpack_export(const DeviceArray& array, const pybind11::object& stream,
                                const pybind11::object& max_version,
                                const pybind11::object& dl_device, const pybind11::object& copy);
pybind11::tuple dlpack_device(const DeviceArray& array);
DeviceArray dlpack_import(const pybind11::object& x, const pybind11::object& device);

}  // namespace vyre::python
