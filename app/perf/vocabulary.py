"""Vietnamese words the generated data set is built from: people, places, problems per field.

Plenty of "đ" (which Unicode does not decompose) and stacked diacritics (ổ, ữ, ặ, ễ…), so that
the folded search column is exercised as real reports exercise it. No tab, newline or
backslash anywhere: the loader writes these strings into COPY's text format as they are.
"""

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Tôn Nữ", "Đoàn", "Trương", "Lưu",
)
MIDDLE_NAMES = (
    "Văn", "Thị", "Hữu", "Đức", "Quốc", "Minh", "Thanh", "Ngọc", "Xuân", "Thị Diễm", "Quang",
    "Đình", "Thị Mỹ", "Công", "Bảo", "Thế", "Phước", "Như", "Khắc", "Hoài",
)
GIVEN_NAMES = (
    "Hùng", "Dũng", "Hương", "Lan", "Phượng", "Tường", "Thịnh", "Đạt", "Nghĩa", "Quỳnh", "Tuấn",
    "Hiếu", "Huệ", "Lộc", "Trang", "Bảo", "Sơn", "Dương", "Thủy", "Cường", "Khánh", "Nguyệt",
    "Vĩnh", "Trí", "Tín", "Hạnh", "Đông", "Thắng", "Yến", "Hằng", "Nhật", "Quyền", "Thuận",
    "Kiệt", "Luận", "Mẫn", "Ngữ", "Phúc", "Sương", "Uyên", "Vỹ", "Diệp", "Điệp", "Hậu", "Khiêm",
)

STREETS = (
    "Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Điện Biên Phủ", "Phan Đình Phùng",
    "Lý Thường Kiệt", "Bà Triệu", "Nguyễn Trãi", "Đinh Tiên Hoàng", "Lê Duẩn", "Trường Chinh",
    "Tố Hữu", "Võ Nguyên Giáp", "Ngự Bình", "Đặng Huy Trứ", "Hàn Mặc Tử", "Nguyễn Sinh Cung",
    "Phạm Văn Đồng", "Hoàng Quốc Việt", "Ngô Thế Vinh", "An Dương Vương", "Đống Đa",
    "Chu Văn An", "Trần Phú", "Phan Bội Châu", "Nguyễn Lộ Trạch", "Bùi Thị Xuân", "Kim Long",
    "Huỳnh Thúc Kháng", "Mai Thúc Loan", "Chi Lăng", "Nguyễn Chí Thanh", "Lê Ngô Cát",
    "Thích Tịnh Khiết", "Nguyễn Khoa Chiêm", "Dương Văn An", "Hồ Đắc Di", "Tự Đức",
    "Minh Mạng", "Ưng Bình", "Đào Duy Anh", "Xuân Diệu", "Nguyễn Văn Linh", "Tôn Đức Thắng",
    "Ngô Quyền", "Lê Quý Đôn", "Đội Cung", "Phú Mộng", "Hải Triều", "Lịch Đợi", "Yết Kiêu",
)
ROAD_KINDS = ("đường", "đường", "đường", "kiệt", "hẻm", "đường tránh", "ngã tư", "ngã ba")
WARDS = (
    "An Cựu", "An Đông", "An Hòa", "An Tây", "Hương Long", "Hương Sơ", "Kim Long", "Phú Bình",
    "Phú Cát", "Phú Hậu", "Phú Hiệp", "Phú Hòa", "Phú Hội", "Phú Nhuận", "Phú Thuận",
    "Phước Vĩnh", "Phường Đúc", "Tây Lộc", "Thuận Hòa", "Thuận Lộc", "Thuận Thành",
    "Trường An", "Vĩnh Ninh", "Vỹ Dạ", "Xuân Phú", "Thủy Biều", "Thủy Xuân", "Hương Hồ",
    "Thủy Phương", "Thủy Dương", "Hương Văn", "Tứ Hạ", "Phú Đa", "Thuận An", "Lăng Cô",
)
LANDMARKS = (
    "chợ Đông Ba", "cầu Trường Tiền", "cầu Phú Xuân", "Đại Nội", "bến xe phía Nam",
    "ga Huế", "trường Tiểu học Thanh Lam", "Bệnh viện Trung ương Huế", "công viên Thương Bạc",
    "cầu Tuần", "chùa Thiên Mụ", "siêu thị Big C", "Trường Đại học Luật", "chợ An Cựu",
    "khu quy hoạch Đông Nam Thủy An", "hồ Tịnh Tâm", "sông Như Ý", "cồn Hến", "đồi Vọng Cảnh",
)

# Problems per field (the names of app/data/fields.csv): (title, the longer wording).
PROBLEMS = {
    "Giao thông": (
        ("Ổ gà trên mặt đường", "mặt đường xuất hiện nhiều ổ gà, ổ voi sâu, nước đọng"),
        ("Đèn tín hiệu giao thông không hoạt động", "đèn tín hiệu giao thông bị hỏng mấy ngày nay"),
        ("Xe chở đất, cát làm rơi vãi", "xe chở đất và cát san rơi vãi ra đường rất nguy hiểm"),
        ("Biển báo bị đổ", "biển báo giao thông bị gãy đổ xuống lòng đường"),
        ("Nắp hố ga bị vỡ", "nắp hố ga bị vỡ, hở miệng, người đi xe máy dễ sụp bánh"),
    ),
    "Trật tự đô thị": (
        ("Lấn chiếm vỉa hè buôn bán", "hàng quán lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường"),
        ("Đậu đỗ xe trái phép", "ô tô đậu đỗ trái phép kéo dài, cản trở giao thông"),
        ("Quảng cáo rao vặt dán tràn lan", "quảng cáo rao vặt dán tràn lan trên cột điện, tường nhà"),
    ),
    "Môi trường, vệ sinh đô thị": (
        ("Rác thải tồn đọng nhiều ngày", "rác thải sinh hoạt tồn đọng nhiều ngày bốc mùi hôi thối"),
        ("Đổ trộm phế thải xây dựng", "có người đổ trộm phế thải xây dựng ra bãi đất trống"),
        ("Cống thoát nước bị tắc", "cống thoát nước bị tắc, mưa xuống là ngập úng cục bộ"),
        ("Khói bụi từ cơ sở sản xuất", "cơ sở sản xuất thải khói bụi, tiếng ồn ảnh hưởng đời sống"),
    ),
    "Điện, chiếu sáng công cộng": (
        ("Đèn chiếu sáng công cộng hỏng", "cả dãy đèn chiếu sáng công cộng không sáng về đêm"),
        ("Dây điện võng thấp", "dây điện võng thấp, chằng chịt, nguy cơ chập cháy"),
        ("Mất điện kéo dài", "khu dân cư bị mất điện kéo dài không được thông báo trước"),
    ),
    "Cấp nước": (
        ("Vỡ đường ống cấp nước", "đường ống cấp nước bị vỡ, nước chảy tràn ra mặt đường"),
        ("Nước sinh hoạt có mùi lạ", "nước máy sinh hoạt đục và có mùi lạ mấy hôm nay"),
    ),
    "Cây xanh, công viên": (
        ("Cây xanh nghiêng đổ sau mưa bão", "cây xanh bị nghiêng, có nguy cơ ngã đổ sau mưa bão"),
        ("Cành cây khô gãy", "cành cây xanh khô mục, gãy rơi xuống đường"),
        ("Ghế đá công viên hư hỏng", "ghế đá và lối đi trong công viên hư hỏng, xuống cấp"),
    ),
    "Xây dựng": (
        ("Xây dựng không phép", "công trình xây dựng không phép, lấn ra hành lang đường"),
        ("Công trình che chắn không đảm bảo", "công trình đang thi công không che chắn, vật liệu rơi"),
    ),
    "Tài nguyên, đất đai": (
        ("Lấn chiếm đất công", "hộ dân rào chắn, lấn chiếm đất công làm lối đi riêng"),
        ("Khai thác cát trái phép", "khai thác cát trái phép trên sông về ban đêm"),
    ),
    "Thông tin, truyền thông, viễn thông": (
        ("Cáp viễn thông treo lơ lửng", "cáp viễn thông bị đứt, treo lơ lửng ngang đường"),
        ("Sóng di động yếu", "sóng điện thoại di động rất yếu, thường xuyên mất kết nối"),
    ),
    "Y tế, an toàn thực phẩm": (
        ("Cơ sở kinh doanh thực phẩm mất vệ sinh", "quán ăn chế biến thực phẩm mất vệ sinh"),
        ("Ổ dịch sốt xuất huyết", "nhiều hộ dân mắc sốt xuất huyết, đề nghị phun thuốc diệt muỗi"),
    ),
    "Giáo dục": (
        ("Thu tiền trái quy định", "nhà trường thu các khoản tiền ngoài quy định đầu năm học"),
        ("Cổng trường ùn tắc giờ tan học", "cổng trường ùn tắc nghiêm trọng vào giờ tan học"),
    ),
    "Du lịch": (
        ("Chèo kéo khách du lịch", "người bán hàng rong chèo kéo, đeo bám khách du lịch"),
        ("Xích lô chặt chém du khách", "xích lô thu giá cao bất thường đối với du khách"),
    ),
    "Văn hóa, thể thao": (
        ("Karaoke gây ồn ào về đêm", "quán karaoke mở nhạc lớn quá giờ quy định"),
        ("Nhà văn hóa xuống cấp", "nhà văn hóa tổ dân phố xuống cấp, dột nát"),
    ),
    "Di tích": (
        ("Tường thành bị xâm hại", "tường thành cổ bị xâm hại, cây mọc trên mặt thành"),
        ("Lấn chiếm khu vực di tích", "hộ dân dựng lều quán trong vùng bảo vệ di tích"),
    ),
    "Thương mại, quản lý thị trường": (
        ("Bán hàng không rõ nguồn gốc", "cửa hàng bày bán hàng hóa không rõ nguồn gốc xuất xứ"),
        ("Niêm yết giá không đúng", "cửa hàng không niêm yết giá, bán cao hơn giá niêm yết"),
    ),
    "Lao động, chính sách xã hội": (
        ("Người lang thang xin ăn", "người lang thang xin ăn, đeo bám ở nơi công cộng"),
        ("Chậm chi trả trợ cấp", "chế độ trợ cấp của gia đình chính sách bị chậm chi trả"),
    ),
    "Khác": (
        ("Đề nghị hướng dẫn thủ tục", "đề nghị được hướng dẫn thủ tục hành chính"),
        ("Kiến nghị chung", "kiến nghị về vấn đề dân sinh trong khu dân cư"),
    ),
}

OPENINGS = (
    "Tôi xin phản ánh:", "Người dân phản ánh", "Kính gửi Trung tâm, hiện nay", "Xin phản ánh việc",
    "Nhờ Trung tâm chuyển đến cơ quan chức năng:", "Phản ánh khẩn:",
)
EXTRA_SENTENCES = (
    "Tình trạng này đã kéo dài hơn một tuần nay.",
    "Người đi đường, nhất là các em học sinh, rất dễ gặp nguy hiểm.",
    "Buổi tối không có đèn nên càng nguy hiểm hơn.",
    "Bà con trong tổ dân phố đã nhiều lần kiến nghị nhưng chưa được giải quyết.",
    "Đề nghị cơ quan chức năng sớm kiểm tra, xử lý dứt điểm.",
    "Khi trời mưa thì nước ngập sâu, xe cộ đi lại rất khó khăn.",
    "Kèm theo là ảnh chụp hiện trường lúc sáng sớm.",
    "Mong được phản hồi sớm, xin chân thành cảm ơn!",
    "Ảnh hưởng lớn đến mỹ quan đô thị của thành phố Festival.",
    "Khu vực này gần trường học và chợ nên rất đông người qua lại.",
)
# A rare sentence: a keyword a benchmark can search for that few reports carry.
RARE_SENTENCE = "Có kẻ dùng máy khoan khoét trộm nắp cống gang."
RARE_KEYWORD = "khoét trộm"

RESULTS = (
    "Đơn vị đã kiểm tra hiện trường và tiến hành khắc phục xong.",
    "Đã phối hợp với UBND phường xử lý, hiện trường đã được dọn dẹp sạch sẽ.",
    "Đã thay thế thiết bị hư hỏng, hoạt động trở lại bình thường.",
    "Đã lập biên bản vi phạm hành chính và yêu cầu khắc phục hậu quả.",
    "Đã sửa chữa, vá ổ gà và hoàn trả mặt đường.",
    "Đã cắt tỉa, gia cố cây xanh, đảm bảo an toàn cho người đi đường.",
    "Nội dung phản ánh không thuộc thẩm quyền, đã hướng dẫn người dân liên hệ đơn vị liên quan.",
)
REJECT_REASONS = (
    "Phản ánh trùng với phản ánh đã tiếp nhận trước đó.",
    "Nội dung không thuộc phạm vi tiếp nhận của hệ thống.",
    "Thông tin không đủ để xác minh, đề nghị người dân bổ sung.",
)
RETURN_REASONS = (
    "Không thuộc thẩm quyền của đơn vị, đề nghị Trung tâm phân phối lại.",
    "Đề nghị bổ sung ảnh chụp hiện trường trước khi duyệt.",
    "Nội dung xử lý chưa đầy đủ, đề nghị kiểm tra lại.",
    "Kết quả chưa rõ ràng, đề nghị đơn vị làm rõ thời gian khắc phục.",
)
REOPEN_REASONS = (
    "Người dân phản hồi chưa hài lòng: hiện trường vẫn chưa được khắc phục.",
    "Sự việc tái diễn, đề nghị đơn vị tiếp tục xử lý.",
)
DISTRIBUTE_NOTES = (
    "Đề nghị đơn vị kiểm tra, xử lý theo thẩm quyền.",
    "Chuyển đơn vị xử lý, báo cáo kết quả đúng hạn.",
    "Đề nghị xử lý gấp.",
)
COMMENTS = (
    "Đã liên hệ người phản ánh để xác minh thêm thông tin.",
    "Đơn vị đang phối hợp với UBND phường kiểm tra hiện trường.",
    "Đề nghị đơn vị khẩn trương xử lý, người dân phản ánh nhiều lần.",
    "Đã cử cán bộ xuống hiện trường, đang chờ vật tư thay thế.",
    "Trung tâm nhắc: phản ánh sắp đến hạn xử lý.",
    "Người dân gọi tổng đài hỏi tiến độ xử lý.",
    "Đang chờ ý kiến của lãnh đạo đơn vị.",
    "Đã bổ sung ảnh hiện trường sau khi khắc phục.",
    "Đơn vị đề nghị gia hạn thêm hai ngày do thời tiết mưa lớn.",
    "Đã trao đổi qua điện thoại với tổ trưởng tổ dân phố.",
)
# What citizens write with a rating of the published result, by rating.
RATING_COMMENTS = {
    "satisfied": ("Cảm ơn đơn vị đã xử lý nhanh.", "Đường đã thông thoáng, rất hài lòng.", None),
    "acceptable": ("Đã xử lý nhưng còn chậm.", "Tạm được, mong đơn vị kiểm tra thêm.", None),
    "not_satisfied": ("Hiện trường vẫn chưa được khắc phục.", "Xử lý qua loa, đề nghị kiểm tra lại.",
                      "Đã một tuần mà rác vẫn chưa được dọn."),
}

FOLLOW_NOTES = (
    "Đơn vị đã nắm thông tin và phối hợp.",
    "Đã chỉ đạo bộ phận chuyên môn theo dõi.",
)

# Units beyond the letter's list: the communes and towns of the districts, and more enterprises.
COMMUNE_SYLLABLES = (
    "Phú", "Hương", "Quảng", "Vinh", "Phong", "Điền", "Lộc", "Thủy", "Hải", "Xuân", "Bình",
    "Thượng", "Lăng", "Dương", "Mỹ", "An", "Thành", "Đông", "Lợi", "Hòa",
)
UNIT_PATTERNS = (
    ("UBND xã {}", "ward", 6),
    ("UBND thị trấn {}", "ward", 1),
    ("Ban quản lý chợ {}", "board", 1),
    ("Hợp tác xã dịch vụ môi trường {}", "enterprise", 1),
    ("Trường THCS {}", "board", 1),
)
