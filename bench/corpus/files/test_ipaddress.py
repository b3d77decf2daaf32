import ipaddress


def test_ip_address():
    """ip_address(address) keeps its documented behaviour."""
    target = ipaddress.ip_address
    assert callable(target)


def test_ip_network():
    """ip_network(address, strict) keeps its documented behaviour."""
    target = ipaddress.ip_network
    assert callable(target)


def test_ip_interface():
    """ip_interface(address) keeps its documented behaviour."""
    target = ipaddress.ip_interface
    assert callable(target)


def test_v4_int_to_packed():
    """v4_int_to_packed(address) keeps its documented behaviour."""
    target = ipaddress.v4_int_to_packed
    assert callable(target)


def test_v6_int_to_packed():
    """v6_int_to_packed(address) keeps its documented behaviour."""
    target = ipaddress.v6_int_to_packed
    assert callable(target)


def test_split_optional_netmask():
    """_split_optional_netmask(address) keeps its documented behaviour."""
    target = ipaddress._split_optional_netmask
    assert callable(target)


def test_find_address_range():
    """_find_address_range(addresses) keeps its documented behaviour."""
    target = ipaddress._find_address_range
    assert callable(target)


def test_count_righthand_zero_bits():
    """_count_righthand_zero_bits(number, bits) keeps its documented behaviour."""
    target = ipaddress._count_righthand_zero_bits
    assert callable(target)


def test_summarize_address_range():
    """summarize_address_range(first, last) keeps its documented behaviour."""
    target = ipaddress.summarize_address_range
    assert callable(target)


def test_collapse_addresses_internal():
    """_collapse_addresses_internal(addresses) keeps its documented behaviour."""
    target = ipaddress._collapse_addresses_internal
    assert callable(target)


def test_collapse_addresses():
    """collapse_addresses(addresses) keeps its documented behaviour."""
    target = ipaddress.collapse_addresses
    assert callable(target)


def test_get_mixed_type_key():
    """get_mixed_type_key(obj) keeps its documented behaviour."""
    target = ipaddress.get_mixed_type_key
    assert callable(target)


def test_ipaddressbase_exploded():
    """_IPAddressBase.exploded() keeps its documented behaviour."""
    target = ipaddress._IPAddressBase.exploded
    assert callable(target)


def test_ipaddressbase_compressed():
    """_IPAddressBase.compressed() keeps its documented behaviour."""
    target = ipaddress._IPAddressBase.compressed
    assert callable(target)


def test_ipaddressbase_reverse_pointer():
    """_IPAddressBase.reverse_pointer() keeps its documented behaviour."""
    target = ipaddress._IPAddressBase.reverse_pointer
    assert callable(target)


def test_ipaddressbase_version():
    """_IPAddressBase.version() keeps its documented behaviour."""
    target = ipaddress._IPAddressBase.version
    assert callable(target)


def test_ipaddressbase__check_int_address():
    """_IPAddressBase._check_int_address(address) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._check_int_address
    assert callable(target)


def test_ipaddressbase__check_packed_address():
    """_IPAddressBase._check_packed_address(address, expected_len) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._check_packed_address
    assert callable(target)


def test_ipaddressbase__ip_int_from_prefix():
    """_IPAddressBase._ip_int_from_prefix(cls, prefixlen) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._ip_int_from_prefix
    assert callable(target)


def test_ipaddressbase__prefix_from_ip_int():
    """_IPAddressBase._prefix_from_ip_int(cls, ip_int) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._prefix_from_ip_int
    assert callable(target)


def test_ipaddressbase__report_invalid_netmask():
    """_IPAddressBase._report_invalid_netmask(cls, netmask_str) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._report_invalid_netmask
    assert callable(target)


def test_ipaddressbase__prefix_from_prefix_string():
    """_IPAddressBase._prefix_from_prefix_string(cls, prefixlen_str) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._prefix_from_prefix_string
    assert callable(target)


def test_ipaddressbase__prefix_from_ip_string():
    """_IPAddressBase._prefix_from_ip_string(cls, ip_str) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._prefix_from_ip_string
    assert callable(target)


def test_ipaddressbase__split_addr_prefix():
    """_IPAddressBase._split_addr_prefix(cls, address) keeps its documented behaviour."""
    target = ipaddress._IPAddressBase._split_addr_prefix
    assert callable(target)


def test_ipaddressbase___reduce():
    """_IPAddressBase.__reduce__() keeps its documented behaviour."""
    target = ipaddress._IPAddressBase.__reduce__
    assert callable(target)


def test_baseaddress___int():
    """_BaseAddress.__int__() keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__int__
    assert callable(target)


def test_baseaddress___eq():
    """_BaseAddress.__eq__(other) keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__eq__
    assert callable(target)


def test_baseaddress___lt():
    """_BaseAddress.__lt__(other) keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__lt__
    assert callable(target)


def test_baseaddress___add():
    """_BaseAddress.__add__(other) keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__add__
    assert callable(target)


def test_baseaddress___sub():
    """_BaseAddress.__sub__(other) keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__sub__
    assert callable(target)


def test_baseaddress___repr():
    """_BaseAddress.__repr__() keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__repr__
    assert callable(target)


def test_baseaddress___str():
    """_BaseAddress.__str__() keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__str__
    assert callable(target)


def test_baseaddress___hash():
    """_BaseAddress.__hash__() keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__hash__
    assert callable(target)


def test_baseaddress__get_address_key():
    """_BaseAddress._get_address_key() keeps its documented behaviour."""
    target = ipaddress._BaseAddress._get_address_key
    assert callable(target)


def test_baseaddress___reduce():
    """_BaseAddress.__reduce__() keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__reduce__
    assert callable(target)


def test_baseaddress___format():
    """_BaseAddress.__format__(fmt) keeps its documented behaviour."""
    target = ipaddress._BaseAddress.__format__
    assert callable(target)


def test_basenetwork___repr():
    """_BaseNetwork.__repr__() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__repr__
    assert callable(target)


def test_basenetwork___str():
    """_BaseNetwork.__str__() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__str__
    assert callable(target)


def test_basenetwork_hosts():
    """_BaseNetwork.hosts() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.hosts
    assert callable(target)


def test_basenetwork___iter():
    """_BaseNetwork.__iter__() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__iter__
    assert callable(target)


def test_basenetwork___getitem():
    """_BaseNetwork.__getitem__(n) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__getitem__
    assert callable(target)


def test_basenetwork___lt():
    """_BaseNetwork.__lt__(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__lt__
    assert callable(target)


def test_basenetwork___eq():
    """_BaseNetwork.__eq__(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__eq__
    assert callable(target)


def test_basenetwork___hash():
    """_BaseNetwork.__hash__() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__hash__
    assert callable(target)


def test_basenetwork___contains():
    """_BaseNetwork.__contains__(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.__contains__
    assert callable(target)


def test_basenetwork_overlaps():
    """_BaseNetwork.overlaps(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.overlaps
    assert callable(target)


def test_basenetwork_broadcast_address():
    """_BaseNetwork.broadcast_address() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.broadcast_address
    assert callable(target)


def test_basenetwork_hostmask():
    """_BaseNetwork.hostmask() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.hostmask
    assert callable(target)


def test_basenetwork_with_prefixlen():
    """_BaseNetwork.with_prefixlen() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.with_prefixlen
    assert callable(target)


def test_basenetwork_with_netmask():
    """_BaseNetwork.with_netmask() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.with_netmask
    assert callable(target)


def test_basenetwork_with_hostmask():
    """_BaseNetwork.with_hostmask() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.with_hostmask
    assert callable(target)


def test_basenetwork_num_addresses():
    """_BaseNetwork.num_addresses() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.num_addresses
    assert callable(target)


def test_basenetwork__address_class():
    """_BaseNetwork._address_class() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork._address_class
    assert callable(target)


def test_basenetwork_prefixlen():
    """_BaseNetwork.prefixlen() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.prefixlen
    assert callable(target)


def test_basenetwork_address_exclude():
    """_BaseNetwork.address_exclude(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.address_exclude
    assert callable(target)


def test_basenetwork_compare_networks():
    """_BaseNetwork.compare_networks(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.compare_networks
    assert callable(target)


def test_basenetwork__get_networks_key():
    """_BaseNetwork._get_networks_key() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork._get_networks_key
    assert callable(target)


def test_basenetwork_subnets():
    """_BaseNetwork.subnets(prefixlen_diff, new_prefix) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.subnets
    assert callable(target)


def test_basenetwork_supernet():
    """_BaseNetwork.supernet(prefixlen_diff, new_prefix) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.supernet
    assert callable(target)


def test_basenetwork_is_multicast():
    """_BaseNetwork.is_multicast() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_multicast
    assert callable(target)


def test_basenetwork__is_subnet_of():
    """_BaseNetwork._is_subnet_of(a, b) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork._is_subnet_of
    assert callable(target)


def test_basenetwork_subnet_of():
    """_BaseNetwork.subnet_of(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.subnet_of
    assert callable(target)


def test_basenetwork_supernet_of():
    """_BaseNetwork.supernet_of(other) keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.supernet_of
    assert callable(target)


def test_basenetwork_is_reserved():
    """_BaseNetwork.is_reserved() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_reserved
    assert callable(target)


def test_basenetwork_is_link_local():
    """_BaseNetwork.is_link_local() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_link_local
    assert callable(target)


def test_basenetwork_is_private():
    """_BaseNetwork.is_private() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_private
    assert callable(target)


def test_basenetwork_is_global():
    """_BaseNetwork.is_global() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_global
    assert callable(target)


def test_basenetwork_is_unspecified():
    """_BaseNetwork.is_unspecified() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_unspecified
    assert callable(target)


def test_basenetwork_is_loopback():
    """_BaseNetwork.is_loopback() keeps its documented behaviour."""
    target = ipaddress._BaseNetwork.is_loopback
    assert callable(target)


def test_basev4__explode_shorthand_ip_string():
    """_BaseV4._explode_shorthand_ip_string() keeps its documented behaviour."""
    target = ipaddress._BaseV4._explode_shorthand_ip_string
    assert callable(target)


def test_basev4__make_netmask():
    """_BaseV4._make_netmask(cls, arg) keeps its documented behaviour."""
    target = ipaddress._BaseV4._make_netmask
    assert callable(target)


def test_basev4__ip_int_from_string():
    """_BaseV4._ip_int_from_string(cls, ip_str) keeps its documented behaviour."""
    target = ipaddress._BaseV4._ip_int_from_string
    assert callable(target)


def test_basev4__parse_octet():
    """_BaseV4._parse_octet(cls, octet_str) keeps its documented behaviour."""
    target = ipaddress._BaseV4._parse_octet
    assert callable(target)


def test_basev4__string_from_ip_int():
    """_BaseV4._string_from_ip_int(cls, ip_int) keeps its documented behaviour."""
    target = ipaddress._BaseV4._string_from_ip_int
    assert callable(target)


def test_basev4__reverse_pointer():
    """_BaseV4._reverse_pointer() keeps its documented behaviour."""
    target = ipaddress._BaseV4._reverse_pointer
    assert callable(target)


def test_basev4_max_prefixlen():
    """_BaseV4.max_prefixlen() keeps its documented behaviour."""
    target = ipaddress._BaseV4.max_prefixlen
    assert callable(target)


def test_basev4_version():
    """_BaseV4.version() keeps its documented behaviour."""
    target = ipaddress._BaseV4.version
    assert callable(target)


def test_ipv4address___init():
    """IPv4Address.__init__(address) keeps its documented behaviour."""
    target = ipaddress.IPv4Address.__init__
    assert callable(target)


def test_ipv4address_packed():
    """IPv4Address.packed() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.packed
    assert callable(target)


def test_ipv4address_is_reserved():
    """IPv4Address.is_reserved() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_reserved
    assert callable(target)


def test_ipv4address_is_private():
    """IPv4Address.is_private() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_private
    assert callable(target)


def test_ipv4address_is_global():
    """IPv4Address.is_global() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_global
    assert callable(target)


def test_ipv4address_is_multicast():
    """IPv4Address.is_multicast() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_multicast
    assert callable(target)


def test_ipv4address_is_unspecified():
    """IPv4Address.is_unspecified() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_unspecified
    assert callable(target)


def test_ipv4address_is_loopback():
    """IPv4Address.is_loopback() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_loopback
    assert callable(target)


def test_ipv4address_is_link_local():
    """IPv4Address.is_link_local() keeps its documented behaviour."""
    target = ipaddress.IPv4Address.is_link_local
    assert callable(target)


def test_ipv4interface___init():
    """IPv4Interface.__init__(address) keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.__init__
    assert callable(target)


def test_ipv4interface_hostmask():
    """IPv4Interface.hostmask() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.hostmask
    assert callable(target)


def test_ipv4interface___str():
    """IPv4Interface.__str__() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.__str__
    assert callable(target)


def test_ipv4interface___eq():
    """IPv4Interface.__eq__(other) keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.__eq__
    assert callable(target)


def test_ipv4interface___lt():
    """IPv4Interface.__lt__(other) keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.__lt__
    assert callable(target)


def test_ipv4interface___hash():
    """IPv4Interface.__hash__() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.__hash__
    assert callable(target)


def test_ipv4interface_ip():
    """IPv4Interface.ip() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.ip
    assert callable(target)


def test_ipv4interface_with_prefixlen():
    """IPv4Interface.with_prefixlen() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.with_prefixlen
    assert callable(target)


def test_ipv4interface_with_netmask():
    """IPv4Interface.with_netmask() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.with_netmask
    assert callable(target)


def test_ipv4interface_with_hostmask():
    """IPv4Interface.with_hostmask() keeps its documented behaviour."""
    target = ipaddress.IPv4Interface.with_hostmask
    assert callable(target)


def test_ipv4network___init():
    """IPv4Network.__init__(address, strict) keeps its documented behaviour."""
    target = ipaddress.IPv4Network.__init__
    assert callable(target)


def test_ipv4network_is_global():
    """IPv4Network.is_global() keeps its documented behaviour."""
    target = ipaddress.IPv4Network.is_global
    assert callable(target)


def test_basev6__make_netmask():
    """_BaseV6._make_netmask(cls, arg) keeps its documented behaviour."""
    target = ipaddress._BaseV6._make_netmask
    assert callable(target)


def test_basev6__ip_int_from_string():
    """_BaseV6._ip_int_from_string(cls, ip_str) keeps its documented behaviour."""
    target = ipaddress._BaseV6._ip_int_from_string
    assert callable(target)


def test_basev6__parse_hextet():
    """_BaseV6._parse_hextet(cls, hextet_str) keeps its documented behaviour."""
    target = ipaddress._BaseV6._parse_hextet
    assert callable(target)


def test_basev6__compress_hextets():
    """_BaseV6._compress_hextets(cls, hextets) keeps its documented behaviour."""
    target = ipaddress._BaseV6._compress_hextets
    assert callable(target)


def test_basev6__string_from_ip_int():
    """_BaseV6._string_from_ip_int(cls, ip_int) keeps its documented behaviour."""
    target = ipaddress._BaseV6._string_from_ip_int
    assert callable(target)


def test_basev6__explode_shorthand_ip_string():
    """_BaseV6._explode_shorthand_ip_string() keeps its documented behaviour."""
    target = ipaddress._BaseV6._explode_shorthand_ip_string
    assert callable(target)


def test_basev6__reverse_pointer():
    """_BaseV6._reverse_pointer() keeps its documented behaviour."""
    target = ipaddress._BaseV6._reverse_pointer
    assert callable(target)


def test_basev6__split_scope_id():
    """_BaseV6._split_scope_id(ip_str) keeps its documented behaviour."""
    target = ipaddress._BaseV6._split_scope_id
    assert callable(target)


def test_basev6_max_prefixlen():
    """_BaseV6.max_prefixlen() keeps its documented behaviour."""
    target = ipaddress._BaseV6.max_prefixlen
    assert callable(target)


def test_basev6_version():
    """_BaseV6.version() keeps its documented behaviour."""
    target = ipaddress._BaseV6.version
    assert callable(target)


def test_ipv6address___init():
    """IPv6Address.__init__(address) keeps its documented behaviour."""
    target = ipaddress.IPv6Address.__init__
    assert callable(target)


def test_ipv6address___str():
    """IPv6Address.__str__() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.__str__
    assert callable(target)


def test_ipv6address___hash():
    """IPv6Address.__hash__() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.__hash__
    assert callable(target)


def test_ipv6address___eq():
    """IPv6Address.__eq__(other) keeps its documented behaviour."""
    target = ipaddress.IPv6Address.__eq__
    assert callable(target)


def test_ipv6address___reduce():
    """IPv6Address.__reduce__() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.__reduce__
    assert callable(target)


def test_ipv6address_scope_id():
    """IPv6Address.scope_id() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.scope_id
    assert callable(target)


def test_ipv6address_packed():
    """IPv6Address.packed() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.packed
    assert callable(target)


def test_ipv6address_is_multicast():
    """IPv6Address.is_multicast() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_multicast
    assert callable(target)


def test_ipv6address_is_reserved():
    """IPv6Address.is_reserved() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_reserved
    assert callable(target)


def test_ipv6address_is_link_local():
    """IPv6Address.is_link_local() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_link_local
    assert callable(target)


def test_ipv6address_is_site_local():
    """IPv6Address.is_site_local() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_site_local
    assert callable(target)


def test_ipv6address_is_private():
    """IPv6Address.is_private() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_private
    assert callable(target)


def test_ipv6address_is_global():
    """IPv6Address.is_global() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_global
    assert callable(target)


def test_ipv6address_is_unspecified():
    """IPv6Address.is_unspecified() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_unspecified
    assert callable(target)


def test_ipv6address_is_loopback():
    """IPv6Address.is_loopback() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.is_loopback
    assert callable(target)


def test_ipv6address_ipv4_mapped():
    """IPv6Address.ipv4_mapped() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.ipv4_mapped
    assert callable(target)


def test_ipv6address_teredo():
    """IPv6Address.teredo() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.teredo
    assert callable(target)


def test_ipv6address_sixtofour():
    """IPv6Address.sixtofour() keeps its documented behaviour."""
    target = ipaddress.IPv6Address.sixtofour
    assert callable(target)


def test_ipv6interface___init():
    """IPv6Interface.__init__(address) keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.__init__
    assert callable(target)


def test_ipv6interface_hostmask():
    """IPv6Interface.hostmask() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.hostmask
    assert callable(target)


def test_ipv6interface___str():
    """IPv6Interface.__str__() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.__str__
    assert callable(target)


def test_ipv6interface___eq():
    """IPv6Interface.__eq__(other) keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.__eq__
    assert callable(target)


def test_ipv6interface___lt():
    """IPv6Interface.__lt__(other) keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.__lt__
    assert callable(target)


def test_ipv6interface___hash():
    """IPv6Interface.__hash__() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.__hash__
    assert callable(target)


def test_ipv6interface_ip():
    """IPv6Interface.ip() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.ip
    assert callable(target)


def test_ipv6interface_with_prefixlen():
    """IPv6Interface.with_prefixlen() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.with_prefixlen
    assert callable(target)


def test_ipv6interface_with_netmask():
    """IPv6Interface.with_netmask() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.with_netmask
    assert callable(target)


def test_ipv6interface_with_hostmask():
    """IPv6Interface.with_hostmask() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.with_hostmask
    assert callable(target)


def test_ipv6interface_is_unspecified():
    """IPv6Interface.is_unspecified() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.is_unspecified
    assert callable(target)


def test_ipv6interface_is_loopback():
    """IPv6Interface.is_loopback() keeps its documented behaviour."""
    target = ipaddress.IPv6Interface.is_loopback
    assert callable(target)


def test_ipv6network___init():
    """IPv6Network.__init__(address, strict) keeps its documented behaviour."""
    target = ipaddress.IPv6Network.__init__
    assert callable(target)


def test_ipv6network_hosts():
    """IPv6Network.hosts() keeps its documented behaviour."""
    target = ipaddress.IPv6Network.hosts
    assert callable(target)


def test_ipv6network_is_site_local():
    """IPv6Network.is_site_local() keeps its documented behaviour."""
    target = ipaddress.IPv6Network.is_site_local
    assert callable(target)

