//! Hash banks and the Hamming-space index. Pure.
