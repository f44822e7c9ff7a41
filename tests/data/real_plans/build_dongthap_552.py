"""Build dongthap-552-cong-nghe-2035/dongthap-552-cong-nghe-2035.docx: Kế hoạch số 552/KH-UBND
(19/11/2025) of UBND tỉnh Đồng Tháp, as the Word file an officer receives.

The text is the plan's published text (a thuvienphapluat.vn page, see the plan's SOURCE.md),
cell for cell and paragraph for paragraph; the page's hard line wraps are joined back into
Word paragraphs.
Run: python3 tests/data/real_plans/build_dongthap_552.py   (needs python-docx)
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

OUT = Path(__file__).parent / "dongthap-552-cong-nghe-2035" / "dongthap-552-cong-nghe-2035.docx"

HEADER = [['ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\n--------',
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------'],
 ['Số: 552/KH-UBND', 'Đồng Tháp, ngày 19 tháng 11 năm 2025']]

PARAGRAPHS = ['KẾ HOẠCH',
 'THỰC HIỆN LỘ TRÌNH ĐỔI MỚI CÔNG NGHỆ ĐẾN NĂM 2035 TRÊN ĐỊA BÀN TỈNH ĐỒNG THÁP ĐỐI VỚI '
 'CÁC NGÀNH KINH TẾ MŨI NHỌN',
 'Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển '
 'khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số; Nghị quyết số 71/NQ-CP ngày '
 '01/4/2025 của Chính phủ và Chương trình hành động số 10- CTr/TU ngày 13/8/2025 của Ban '
 'Thường vụ Tỉnh ủy về thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị '
 'về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số; Thông báo '
 'số 30-TB/TGV ngày 13/6/2025 của Tổ giúp việc Ban chỉ đạo Trung ương về phát triển khoa '
 'học, công nghệ, đổi mới sáng tạo và chuyển đổi số thông báo kết luận cuộc họp của lãnh '
 'đạo Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển '
 'đổi số; Kế hoạch số 283/KH-UBND ngày 24/9/2025 của Ủy ban nhân dân Tỉnh về thực hiện '
 'Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ và Chương trình hành động số '
 '10-CTr/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh ủy về thực hiện Nghị quyết số 57-NQ/TW '
 'ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng '
 'tạo và chuyển đổi số trên địa bàn tỉnh Đồng Tháp;',
 'Ủy ban nhân dân Tỉnh ban hành Kế hoạch thực hiện lộ trình đổi mới công nghệ đến năm 2035 '
 'trên địa bàn tỉnh Đồng Tháp đối với các ngành kinh tế mũi nhọn như sau:',
 'I. MỤC ĐÍCH, YÊU CẦU',
 '1. Mục đích',
 '- Khuyến khích ứng dụng, đổi mới và chuyển giao công nghệ và thương mại hóa công nghệ, '
 'tạo điều kiện cho doanh nghiệp, hợp tác xã, hộ sản xuất tiếp cận các tiến bộ khoa học, '
 'công nghệ, góp phần nâng cao năng suất, chất lượng, hiệu quả và khả năng cạnh tranh của '
 'các ngành kinh tế mũi nhọn của Tỉnh.',
 '- Tăng cường năng lực nghiên cứu, ứng dụng và chuyển giao công nghệ trong các lĩnh vực '
 'trọng điểm, chú trọng nông nghiệp công nghệ cao, công nghiệp chế biến, công nghệ thông '
 'tin, chuyển đổi số và các ngành dịch vụ có tiềm năng, nhằm nâng cao giá trị gia tăng, '
 'hiệu quả sản xuất, kinh doanh và sức cạnh tranh của doanh nghiệp, hợp tác xã, hộ sản '
 'xuất.',
 '- Xây dựng hệ sinh thái đổi mới sáng tạo, thúc đẩy sự liên kết giữa doanh nghiệp - viện, '
 'trường - hợp tác xã - nông dân nhằm hình thành đội ngũ nhân lực công nghệ chất lượng '
 'cao.',
 '2. Yêu cầu',
 '- Bảo đảm sự lãnh đạo toàn diện, thống nhất của Tỉnh ủy; sự quản lý, chỉ đạo điều hành '
 'quyết liệt của Ủy ban nhân dân Tỉnh; phát huy vai trò, trách nhiệm và sự phối hợp đồng '
 'bộ, chặt chẽ giữa các sở, ban, ngành, địa phương, cơ quan, đơn vị trong quá trình tổ '
 'chức triển khai thực hiện. Đảm bảo tính khả thi, hiệu quả, đồng bộ và phù hợp với đặc '
 'thù kinh tế - xã hội của Tỉnh.',
 '- Đổi mới công nghệ phải được triển khai phù hợp với đặc thù của từng ngành kinh tế mũi '
 'nhọn, ưu tiên nông nghiệp công nghệ cao, thủy sản, chế biến nông sản, thực phẩm và du '
 'lịch, dịch vụ. Trên cơ sở tập trung ứng dụng công nghệ số, tự động hóa, công nghệ sinh '
 'học và công nghệ sạch nhằm đạt mục tiêu kép: nâng cao hiệu quả sản xuất và giảm thiểu '
 'tác động môi trường.',
 '- Tăng cường hợp tác nghiên cứu, chuyển giao công nghệ với các viện, trường và doanh '
 'nghiệp trong, ngoài nước. Trong đó, doanh nghiệp giữ vai trò chủ động trong đổi mới, còn '
 'Nhà nước đóng vai trò hỗ trợ về cơ chế chính sách và nguồn lực.',
 '- Lộ trình đổi mới công nghệ phải được triển khai theo lộ trình cụ thể và nhiệm vụ, giải '
 'pháp rõ ràng, gắn chặt với mục tiêu của từng giai đoạn (giai đoạn 2025 - 2030 và giai '
 'đoạn 2031 - 2035).',
 '- Huy động, lồng ghép hiệu quả các nguồn lực (ngân sách nhà nước, xã hội hóa, hợp tác '
 'công tư, vốn FDI, vốn đổi mới sáng tạo).',
 '- Gắn kết chặt chẽ giữa đổi mới công nghệ, đổi mới sáng tạo, chuyển đổi số, bảo đảm tính '
 'khả thi, hiệu quả, phù hợp với đặc thù kinh tế - xã hội của Tỉnh.',
 'II. MỤC TIÊU',
 '1. Mục tiêu tổng quát',
 '- Nâng cao năng lực đổi mới công nghệ cho các ngành kinh tế mũi nhọn (nông nghiệp công '
 'nghệ cao, công nghiệp chế biến, thương mại - dịch vụ - du lịch, công nghệ số) để tạo '
 'bước đột phá về năng suất, chất lượng và giá trị gia tăng. Đẩy mạnh ứng dụng công nghệ '
 'cao, công nghệ mới và công nghệ thân thiện môi trường trong sản xuất, chế biến và quản '
 'lý, từng bước tham gia vào chuỗi giá trị toàn cầu. Đồng thời, thúc đẩy chuyển đổi số '
 'toàn diện để hình thành hệ sinh thái đổi mới sáng tạo gắn kết với doanh nghiệp, hợp tác '
 'xã, viện - trường, góp phần hiện thực hóa nền kinh tế xanh, tuần hoàn và bền vững.',
 '- Tạo điều kiện phát triển nguồn nhân lực khoa học và công nghệ chất lượng cao và tạo '
 'lập môi trường thuận lợi cho doanh nghiệp đổi mới sáng tạo (khuyến khích doanh nghiệp '
 'khoa học và công nghệ, doanh nghiệp khởi nghiệp sáng tạo). Xây dựng hệ thống quản lý, cơ '
 'sở dữ liệu để kết nối cung - cầu công nghệ và đặt hàng nhiệm vụ khoa học và công nghệ '
 'cấp tỉnh theo sát nhu cầu thực tiễn của các ngành mũi nhọn.',
 '- Đồng Tháp trở thành trung tâm đổi mới công nghệ trong vùng Đồng bằng sông Cửu Long.',
 '2. Mục tiêu cụ thể',
 '2.1. Đến năm 2030',
 '- Nông nghiệp Công nghệ cao',
 'Phấn đấu trên 50% diện tích sản xuất nông nghiệp chủ lực (lúa, xoài, cây ăn trái, hoa '
 'kiểng) ứng dụng công nghệ thông minh, tự động hóa, số hóa và công nghệ sinh học.',
 'Hình thành ít nhất 20 mô hình sản xuất nông nghiệp tuần hoàn - hữu cơ - thích ứng biến '
 'đổi khí hậu, có khả năng nhân rộng toàn Tỉnh.',
 '100% hợp tác xã nông nghiệp, doanh nghiệp sản xuất nông sản chủ lực và sản phẩm nông sản '
 'chủ lực (xoài, nhãn, hoa kiểng, thuỷ sản,…) của Tỉnh áp dụng hệ thống truy xuất nguồn '
 'gốc và đáp ứng các tiêu chuẩn chất lượng quốc tế (VietGaP, GlobalGAP, hữu cơ,...) để '
 'phục vụ xuất khẩu.',
 '- Thủy sản',
 'Đảm bảo trên 70% diện tích nuôi cá tra và thủy sản chủ lực áp dụng công nghệ nuôi an '
 'toàn sinh học, tuần hoàn và giảm phát thải.',
 'Hình thành ít nhất 02 vùng nuôi thủy sản thông minh đạt tiêu chuẩn quốc tế.',
 '- Công nghiệp Chế biến',
 'Trên 70% số doanh nghiệp chế biến nông sản và thủy sản đạt trình độ và năng lực công '
 'nghệ trung bình tiên tiến trở lên.',
 'Hình thành ít nhất 01 trung tâm logistics, bảo quản, chế biến hiện đại tại các vùng '
 'nguyên liệu tập trung.',
 '- Du lịch và dịch vụ',
 '100% điểm đến du lịch trọng điểm ứng dụng công nghệ số (hướng dẫn số, bản đồ số, thanh '
 'toán điện tử, quảng bá trực tuyến). Đồng thời, phát triển ít nhất 10 sản phẩm du lịch '
 'thông minh, trải nghiệm số hóa, gắn với chuỗi liên kết du lịch số với các tỉnh Đồng bằng '
 'sông Cửu Long.',
 '- Hệ sinh thái đổi mới sáng tạo',
 'Vận hành hiệu quả Không gian khởi nghiệp khởi nghiệp đổi mới sáng tạo của tỉnh, kết nối '
 'với các trung tâm quốc gia và quốc tế.',
 '- Nguồn nhân lực',
 'Đảm bảo 100% khu công nghiệp, cụm công nghiệp phải triển khai chương trình hỗ trợ đổi '
 'mới công nghệ.',
 'Hình thành ít nhất 100 doanh nghiệp khởi nghiệp sáng tạo, 50 doanh nghiệp khoa học công '
 'nghệ; đồng thời có ít nhất 50 doanh nghiệp trở thành hạt nhân đổi mới công nghệ, trong '
 'đó có 20 doanh nghiệp công nghệ cao đóng vai trò dẫn dắt ngành.',
 'Tổ chức đào tạo, bồi dưỡng 3.000 lượt nhân lực về ứng dụng công nghệ, quản trị đổi mới '
 'sáng tạo và chuyển đổi số. Có ít nhất 03 cơ sở giáo dục, đào tạo của tỉnh có hoạt động '
 'đào tạo hoặc liên kết đào tạo về công nghệ mới, công nghệ cốt lõi.',
 '2.2. Định hướng đến năm 2035',
 '- Đồng Tháp trở thành địa phương thuộc top 03 vùng Đồng bằng sông Cửu Long về đổi mới '
 'công nghệ trong nông nghiệp, công nghiệp chế biến và ứng dụng công nghệ số, làm hình mẫu '
 'trong phát triển kinh tế số, xã hội số và nông nghiệp công nghệ cao. Quy mô kinh tế số '
 'đạt 40% GRDP.',
 '- Tối thiểu 80% doanh nghiệp trên địa bàn tỉnh ứng dụng công nghệ tiên tiến trong hoạt '
 'động sản xuất, quản lý và kinh doanh, góp phần nâng cao năng suất, chất lượng, giá trị '
 'gia tăng và khả năng cạnh tranh của sản phẩm, dịch vụ.',
 '- Hình thành hệ sinh thái đổi mới sáng tạo hoàn chỉnh, có sự tham gia tích cực và gắn '
 'kết chặt chẽ giữa các viện nghiên cứu, trường đại học, doanh nghiệp, hợp tác xã và cộng '
 'đồng khởi nghiệp, bảo đảm tính liên thông, hỗ trợ lẫn nhau trong nghiên cứu, phát triển, '
 'thương mại hóa sản phẩm. Trong đó, ít nhất 40% doanh nghiệp vừa và nhỏ có hợp tác nghiên '
 'cứu, phát triển với các viện/trường.',
 '- Nâng cao rõ rệt tỷ trọng giá trị gia tăng từ các sản phẩm chế biến công nghệ cao trong '
 'cơ cấu kinh tế của tỉnh, từng bước chuyển dịch từ nền kinh tế dựa trên sản xuất thô sang '
 'nền kinh tế dựa trên tri thức, công nghệ và đổi mới sáng tạo. Trong đó, mỗi năm có ít '
 'nhất 150 sản phẩm đổi mới sáng tạo được thương mại hoá.',
 'III. LỘ TRÌNH THỰC HIỆN',
 '1. Giai đoạn 2025 - 2030',
 '- Rà soát, bổ sung, hoàn thiện các chính sách hỗ trợ đổi mới công nghệ, tạo môi trường '
 'thuận lợi để doanh nghiệp, hợp tác xã, hộ sản xuất mạnh dạn đầu tư công nghệ mới.',
 '- Đầu tư, nâng cấp hạ tầng số; xây dựng và vận hành cơ sở dữ liệu trong các ngành nông '
 'nghiệp, công nghiệp, thương mại, dịch vụ và quản lý nhà nước.',
 '- Xây dựng Trung tâm đổi mới sáng tạo cấp tỉnh, hình thành trung tâm có chức năng kết '
 'nối viện, trường, doanh nghiệp và cộng đồng khởi nghiệp, thúc đẩy nghiên cứu, ứng dụng, '
 'thương mại hóa công nghệ.',
 '- Tập trung hỗ trợ các doanh nghiệp nhỏ và vừa ứng dụng công nghệ tiên tiến, công nghệ '
 'số trong sản xuất, kinh doanh, phấn đấu đến năm 2030 đạt 30% doanh nghiệp nhỏ và vừa '
 'thực hiện.',
 '- Đổi mới công nghệ trong khu công nghiệp: 100% khu công nghiệp, cụm công nghiệp triển '
 'khai chương trình hỗ trợ đổi mới công nghệ, gắn với chuyển đổi số và sản xuất thông '
 'minh.',
 '- Phát triển công nghệ trong nông nghiệp và công nghiệp chế biến: Đẩy mạnh nghiên cứu, '
 'ứng dụng công nghệ cao trong các lĩnh vực nông nghiệp chủ lực (cây ăn trái, thủy sản, '
 'hoa kiểng, lúa gạo); đồng thời phát triển công nghiệp chế biến theo hướng nâng cao giá '
 'trị gia tăng.',
 '- Đào tạo và phát triển nguồn nhân lực: Tổ chức các chương trình đào tạo, bồi dưỡng '
 'chuyên môn, kỹ năng số và quản lý công nghệ; phát triển nguồn nhân lực khoa học, công '
 'nghệ đáp ứng yêu cầu thực tiễn của doanh nghiệp và xã hội.',
 '- Kiểm tra, đánh giá và điều chỉnh chính sách liên tục: định kỳ (hằng năm) đánh giá tiến '
 'độ và hiệu quả thực hiện các mục tiêu, nhiệm vụ và thực hiện đánh giá giữa giai đoạn và '
 'cuối giai đoạn để điều chỉnh kịp thời nếu có sai lệch so với mục tiêu.',
 '2. Giai đoạn 2031 - 2035',
 '2.1. Mở rộng và đổi mới cơ chế, chính sách',
 '- Xem xét, điều chỉnh các ưu đãi, hỗ trợ theo thực tế đã triển khai để nâng cao hiệu '
 'quả.',
 '- Bổ sung các chính sách hỗ trợ đặc biệt cho các công ty khởi nghiệp (startup) công '
 'nghệ, doanh nghiệp khởi nghiệp đổi mới sáng tạo.',
 '- Xây dựng và triển khai cơ chế Sandbox cho các mô hình kinh doanh và ứng dụng công nghệ '
 'mới (như AgriTech, Fintech) chưa có khung pháp lý điều chỉnh rõ ràng.',
 '2.2. Nâng cấp và hoàn thiện hạ tầng công nghệ và chuyển đổi số',
 '- Mở rộng, nâng cao chất lượng hạ tầng số, trung tâm dữ liệu, kết nối băng rộng tốc độ '
 'cao, mạng 4G/5G, IoT tại vùng sản xuất chủ lực.',
 '- Nâng cấp, hoàn thiện hệ thống cơ sở dữ liệu ngành và liên ngành, đảm bảo liên thông, '
 'chia sẻ dữ liệu, hỗ trợ quản lý và ra quyết định.',
 '2.3. Hoàn thiện Trung tâm đổi mới sáng tạo cấp tỉnh và mạng lưới hỗ trợ',
 '- Tăng cường năng lực hoạt động của Trung tâm đổi mới sáng tạo: thử nghiệm, ươm tạo, hỗ '
 'trợ thương mại hóa, kết nối với quỹ đầu tư, hỗ trợ thương mại hoá sản phẩm.',
 '- Phát triển các vườn ươm, cơ sở hỗ trợ khởi nghiệp địa phương, kết nối giữa trung tâm '
 'với các tổ chức nghiên cứu, trường đại học, doanh nghiệp.',
 '2.4. Đạt được mục tiêu ứng dụng công nghệ tiên tiến doanh nghiệp',
 '- Đưa tỷ lệ doanh nghiệp ứng dụng công nghệ tiên tiến trong sản xuất, quản lý, kinh '
 'doanh lên tối thiểu 80% trên toàn Tỉnh.',
 '- Tập trung hỗ trợ doanh nghiệp nhỏ và vừa để rút ngắn khoảng cách với doanh nghiệp lớn '
 'trong việc tiếp cận và ứng dụng công nghệ mới.',
 '- Khuyến khích và hỗ trợ các doanh nghiệp lớn, chủ lực tăng cường chi cho nghiên cứu và '
 'phát triển (R&D) để tạo ra công nghệ và sản phẩm cốt lõi, nâng cao năng lực tự chủ công '
 'nghệ của Tỉnh.',
 '2.5. Phát triển sản xuất, chế biến công nghệ cao và nâng cao giá trị gia tăng',
 '- Nâng cao chất lượng, giá trị sản phẩm chế biến công nghệ cao, mở rộng thị trường xuất '
 'khẩu.',
 '- Hỗ trợ xây dựng các chuỗi giá trị khép kín và mô hình sản xuất thông minh, sản xuất '
 'sạch, thân thiện môi trường, đặc biệt trong các lĩnh vực nông nghiệp chủ lực (cây ăn '
 'trái, thủy sản, hoa kiểng, lúa gạo).',
 '2.6. Đào tạo, phát triển nguồn nhân lực chất lượng cao',
 '- Đào tạo chuyên sâu về công nghệ cao, công nghệ số, quản lý đổi mới sáng tạo, sáng tạo '
 'sản phẩm.',
 '- Thu hút chuyên gia, nhà khoa học trong và ngoài nước tham gia giảng dạy, chuyển giao '
 'công nghệ.',
 '- Mở rộng các chương trình "học tập số" để phổ cập và nâng cao kiến thức, kỹ năng số '
 'trong cán bộ, công chức và toàn thể người dân, tạo nền tảng cho xã hội số.',
 '- Tăng cường hợp tác quốc tế để nâng cao trình độ đội ngũ nhân lực trong Tỉnh.',
 '2.7. Huy động và quản lý tài chính bền vững để đổi mới công nghệ',
 '- Mở rộng các nguồn vốn cho đổi mới sáng tạo: quỹ tỉnh, các quỹ đầu tư mạo hiểm, vốn '
 'quốc tế, PPP.',
 '- Mở rộng các nguồn vốn cho đổi mới sáng tạo: quỹ tỉnh, các quỹ đầu tư mạo hiểm, vốn '
 'quốc tế, PPP, đảm bảo nguồn vốn bền vững và đa dạng.',
 '2.8. Thúc đẩy hệ sinh thái đổi mới sáng tạo và khởi nghiệp hoàn chỉnh',
 '- Kết nối mạng lưới các tổ chức hỗ trợ đổi mới sáng tạo, vườn ươm, doanh nghiệp khởi '
 'nghiệp và các viện, trường.',
 '- Xây dựng hệ thống hỗ trợ khởi nghiệp về mặt pháp lý, sở hữu trí tuệ, thương mại, tiếp '
 'cận thị trường và vốn.',
 '- Tổ chức các sự kiện, cuộc thi đổi mới sáng tạo khu vực/nội tỉnh, liên kết vùng để tìm '
 'kiếm ý tưởng, thu hút đầu tư.',
 'III. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU (chi tiết Phụ lục đính kèm)',
 'IV. KINH PHÍ VÀ NGUỒN LỰC THỰC HIỆN',
 '1. Kinh phí thực hiện lồng ghép từ các chương trình, dự án, đề án, vốn ngân sách Nhà '
 'nước được phân bổ hằng năm cho các cơ quan, đơn vị.',
 '2. Kinh phí đóng góp của người dân, doanh nghiệp và các hình thức hợp tác công tư khác '
 '(nếu có).',
 'V. TỔ CHỨC THỰC HIỆN',
 '1. Sở Khoa học và Công nghệ',
 '- Là cơ quan thường trực, chủ trì tham mưu Ủy ban nhân dân Tỉnh triển khai, theo dõi, '
 'đôn đốc và tổng hợp tình hình thực hiện Kế hoạch.',
 '- Xây dựng và tổ chức các chương trình, đề án hỗ trợ doanh nghiệp, hợp tác xã, hộ sản '
 'xuất trong nghiên cứu, ứng dụng, chuyển giao, đổi mới công nghệ.',
 '- Xây dựng và triển khai các chương trình, đề án phát triển hạ tầng số, dữ liệu số, '
 'chính quyền số, kinh tế số và xã hội số; bảo đảm an toàn, an ninh thông tin trong hoạt '
 'động chuyển đổi số.',
 '- Phối hợp với các sở, ngành, địa phương xây dựng cơ chế chính sách, phát triển hạ tầng '
 'khoa học, công nghệ, hệ sinh thái đổi mới sáng tạo.',
 '- Định kỳ hằng năm, báo cáo Ủy ban nhân dân Tỉnh kết quả thực hiện và đề xuất giải pháp, '
 'điều chỉnh phù hợp.',
 '2. Sở Nông nghiệp và Môi trường',
 '- Chủ trì, phối hợp triển khai các chương trình đổi mới công nghệ trong sản xuất nông '
 'nghiệp, chế biến nông sản, thủy sản, hoa kiểng và các sản phẩm chủ lực của tỉnh; gắn với '
 'yêu cầu quản lý, khai thác, sử dụng hiệu quả, bền vững tài nguyên đất, nước và môi '
 'trường.',
 '- Hướng dẫn, hỗ trợ nông dân, hợp tác xã, doanh nghiệp ứng dụng công nghệ cao, công nghệ '
 'số trong sản xuất, quản lý chuỗi giá trị nông sản; đồng thời thúc đẩy áp dụng công nghệ '
 'hiện đại trong quan trắc, giám sát tài nguyên, môi trường, cảnh báo thiên tai và ứng phó '
 'biến đổi khí hậu.',
 '- Đẩy mạnh hợp tác, liên kết với các viện nghiên cứu, trường đại học, doanh nghiệp để '
 'tiếp nhận, chuyển giao công nghệ tiên tiến phục vụ nông nghiệp bền vững, kinh tế tuần '
 'hoàn, tiết kiệm năng lượng, tái chế và xử lý chất thải.',
 '- Tổ chức các hoạt động tập huấn, đào tạo, phát triển nguồn nhân lực trong lĩnh vực nông '
 'nghiệp công nghệ cao, công nghệ môi trường, nâng cao năng lực quản lý và ứng dụng công '
 'nghệ trong sản xuất và bảo vệ môi trường.',
 '3. Sở Công Thương',
 '- Chủ trì triển khai các chương trình khuyến công nhằm hỗ trợ các doanh nghiệp/cơ sở đổi '
 'mới máy móc, thiết bị và công nghệ, nhất là lĩnh vực công nghiệp chế biến nông sản, thực '
 'phẩm và phát triển công nghiệp hỗ trợ.',
 '- Hỗ trợ doanh nghiệp ứng dụng công nghệ số trong quản trị sản xuất, kinh doanh, đặc '
 'biệt là thương mại điện tử và logistics.',
 '- Phối hợp với các ngành liên quan phát triển thị trường cho sản phẩm công nghệ cao, đổi '
 'mới sáng tạo.',
 '4. Sở Tài chính',
 '- Trên cơ cở tổng hợp nhu cầu và đề xuất từ các sở, ban, ngành tỉnh và cơ quan, đơn vị '
 'liên quan; Sở Tài chính tham mưu Ủy ban nhân dân Tỉnh bố trí, cân đối và huy động các '
 'nguồn lực tài chính cho hoạt động đổi mới công nghệ, bảo đảm sử dụng hiệu quả ngân sách '
 'nhà nước, lồng ghép với các chương trình, dự án phát triển kinh tế - xã hội của Tỉnh.',
 '- Rà soát, kịp thời cụ thể hoá các cơ chế, chính sách khuyến khích xã hội hóa, thu hút '
 'đầu tư (PPP, FDI, ODA) hỗ trợ đổi mới công nghệ phù hợp với điều kiện kinh tế xã hội của '
 'Tỉnh',
 '- Phối hợp với các sở, ngành, địa phương hướng dẫn, kiểm tra việc quản lý, sử dụng nguồn '
 'kinh phí cho các chương trình, đề án đổi mới công nghệ, bảo đảm công khai, minh bạch, '
 'đúng mục tiêu, đúng quy định pháp luật.',
 '- Đề xuất các giải pháp cải thiện môi trường đầu tư, kinh doanh; ưu tiên thu hút các dự '
 'án ứng dụng công nghệ cao, công nghệ tiên tiến, thân thiện môi trường, có giá trị gia '
 'tăng và sức lan tỏa lớn đối với phát triển kinh tế - xã hội của Tỉnh.',
 '5. Sở Giáo dục và Đào tạo',
 '- Chủ trì, phối hợp với các sở, ngành, địa phương xây dựng và triển khai các chương '
 'trình, kế hoạch đào tạo, bồi dưỡng nguồn nhân lực chất lượng cao đáp ứng yêu cầu đổi mới '
 'công nghệ, chuyển đổi số và phát triển kinh tế số.',
 '- Đổi mới chương trình, nội dung, phương pháp giảng dạy trong các cơ sở giáo dục, dạy '
 'nghề, tập trung vào nâng cao kiến thức khoa học, công nghệ, kỹ năng số, tư duy đổi mới '
 'sáng tạo và khởi nghiệp cho học sinh, sinh viên, người lao động.',
 '- Phối hợp với doanh nghiệp, viện nghiên cứu, trường đại học tổ chức đào tạo theo nhu '
 'cầu xã hội, đặc biệt trong các lĩnh vực nông nghiệp công nghệ cao, công nghiệp chế biến, '
 'công nghệ thông tin, an toàn thông tin và các ngành dịch vụ mới nổi.',
 '- Tăng cường hợp tác quốc tế, liên kết đào tạo với các trường, viện trong và ngoài nước; '
 'khuyến khích sự tham gia của doanh nghiệp trong hoạt động đào tạo, thực tập, bồi dưỡng '
 'kỹ năng nghề, góp phần nâng cao chất lượng nguồn nhân lực của Tỉnh.',
 '6. Ban Quản lý khu Kinh tế',
 '- Phối hợp với các sở, ngành và địa phương tổ chức triển khai các chương trình, kế hoạch '
 'hỗ trợ đổi mới công nghệ, ứng dụng công nghệ số và sản xuất thông minh trong các khu '
 'công nghiệp, khu kinh tế.',
 '- Phối hợp hướng dẫn, tạo điều kiện thuận lợi cho doanh nghiệp trong khu công nghiệp, '
 'khu kinh tế tiếp cận các cơ chế, chính sách ưu đãi về đổi mới công nghệ, chuyển đổi số, '
 'nghiên cứu - phát triển và chuyển giao công nghệ.',
 '- Phối hợp xây dựng hạ tầng số, cơ sở dữ liệu quản lý trong các khu công nghiệp, khu '
 'kinh tế; thúc đẩy kết nối, chia sẻ dữ liệu với hệ thống chính quyền số của Tỉnh.',
 '- Thu hút, kêu gọi đầu tư vào các dự án công nghệ cao, công nghiệp chế biến sâu, sản '
 'xuất xanh, thân thiện môi trường; khuyến khích hình thành các mô hình doanh nghiệp đổi '
 'mới sáng tạo trong khu công nghiệp, khu kinh tế.',
 '- Phối hợp tổ chức tập huấn, bồi dưỡng nâng cao năng lực cho cán bộ, doanh nghiệp trong '
 'khu công nghiệp, khu kinh tế về khoa học, công nghệ, đổi mới sáng tạo và an toàn, an '
 'ninh thông tin.',
 '7. Liên hiệp các Hội Khoa học và Kỹ thuật',
 'Nghiên cứu, tư vấn, phản biện chính sách, giải pháp công nghệ; Đào tạo, bồi dưỡng nhân '
 'lực khoa học và công nghệ.',
 '8. Các sở, ban, ngành Tỉnh',
 'Căn cứ chức năng, nhiệm vụ, chủ động xây dựng và triển khai kế hoạch, chương trình, đề '
 'án cụ thể nhằm thúc đẩy đổi mới công nghệ trong lĩnh vực phụ trách.',
 '9. Ủy ban nhân dân xã, phường',
 '- Xây dựng kế hoạch triển khai phù hợp với đặc thù, điều kiện thực tế của từng địa '
 'phương.',
 '- Tuyên truyền, vận động doanh nghiệp, hợp tác xã, hộ sản xuất tích cực tham gia đổi mới '
 'công nghệ, chuyển đổi số.',
 '- Phối hợp với các sở, ngành liên quan tổ chức thực hiện, kiểm tra, giám sát, định kỳ '
 'báo cáo kết quả về Ủy ban nhân dân Tỉnh.',
 '10. Hiệp hội Doanh nghiệp',
 '- Vận động, khuyến khích hội viên, doanh nghiệp tham gia các chương trình đổi mới công '
 'nghệ, khởi nghiệp sáng tạo.',
 '- Là cầu nối giữa doanh nghiệp với cơ quan quản lý nhà nước trong việc đề xuất cơ chế, '
 'chính sách hỗ trợ.',
 'VI. TỔ CHỨC THEO DÕI, KIỂM TRA VÀ CHẾ ĐỘ BÁO CÁO',
 '1. Công tác theo dõi, kiểm tra',
 '- Sở Khoa học và Công nghệ là cơ quan thường trực, chủ trì theo dõi, đôn đốc, kiểm tra '
 'việc thực hiện Kế hoạch; kịp thời tổng hợp, tham mưu Ủy ban nhân dân Tỉnh tháo gỡ khó '
 'khăn, vướng mắc phát sinh.',
 '- Các sở, ban, ngành, Ủy ban nhân dân xã, phường định kỳ kiểm tra, đánh giá tình hình '
 'thực hiện các mục tiêu, nhiệm vụ trong phạm vi quản lý, kịp thời phát hiện những hạn '
 'chế, bất cập để có biện pháp điều chỉnh.',
 '- Tăng cường công tác giám sát, đánh giá độc lập (nếu cần) nhằm bảo đảm tính khách quan, '
 'minh bạch, hiệu quả trong triển khai Kế hoạch.',
 '2. Chế độ báo cáo',
 '- Các sở, ban, ngành, Ủy ban nhân dân xã, phường và các đơn vị liên quan có trách nhiệm '
 'xây dựng kế hoạch chi tiết hằng năm và định kỳ báo cáo kết quả thực hiện trước ngày '
 '20/11 về Sở Khoa học và Công nghệ để tổng hợp.',
 '- Sở Khoa học và Công nghệ tổng hợp, báo cáo Ủy ban nhân dân Tỉnh và Bộ Khoa học và Công '
 'nghệ trước ngày 30/11 hằng năm. Báo cáo giữa kỳ thực hiện Kế hoạch (năm 2030) và báo cáo '
 'tổng kết thực hiện Kế hoạch (năm 2035), gửi Ủy ban nhân dân Tỉnh và Bộ Khoa học và Công '
 'nghệ.',
 'Trong quá trình thực hiện nếu có khó khăn, vướng mắc đề nghị các cơ quan, đơn vị và địa '
 'phương phản ánh về Sở Khoa học và Công nghệ để phối hợp giải quyết; trường hợp vượt thẩm '
 'quyền, Sở Khoa học và Công nghệ tổng hợp báo cáo và đề xuất, trình Ủy ban nhân dân Tỉnh '
 'xem xét, quyết định./.']

SIGNATURE = [['Nơi nhận:\n'
  '- Thường trực Tỉnh ủy;\n'
  '- Thường trực HĐND Tỉnh;\n'
  '- CT, các PCT UBND Tỉnh;\n'
  '- Mục V;\n'
  '- VPUB: CVP, các PCVP;\n'
  '- Lưu: VT, KGVX. Thg.',
  'TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\nHuỳnh Minh Tuấn']]

APPENDIX_TITLE = ['PHỤ LỤC',
 'NHIỆM VỤ VÀ GIẢI PHÁP THỰC HIỆN',
 '(Ban hành kèm theo Kế hoạch số 552/KH-UBND ngày 19/11/2025 của Ủy ban nhân dân tỉnh)']

TABLE = [['STT', 'NHIỆM VỤ VÀ GIẢI PHÁP', 'CHỦ TRÌ', 'PHỐI HỢP', 'THỜI GIAN'],
 ['I', 'NHÓM GIẢI PHÁP VỀ CƠ CHẾ CHÍNH SÁCH'],
 ['1',
  'Rà soát, kịp thời cụ thể hoá các cơ chế, chính sách khuyến khích xã hội hóa, thu hút '
  'đầu tư (PPP, FDI, ODA) hỗ trợ đổi mới công nghệ phù hợp với điều kiện kinh tế xã hội '
  'của tỉnh.',
  'Sở Tài chính',
  'Sở, ban, ngành có liên quan',
  'Thường xuyên'],
 ['2',
  'Đề xuất giải pháp cải thiện môi trường đầu tư, kinh doanh; ưu tiên thu hút dự án ứng '
  'dụng công nghệ cao.',
  'Sở Tài chính',
  'Sở Công Thương; Ban Quản lý khu Kinh tế tỉnh Đồng Tháp',
  '2026'],
 ['3',
  'Nghiên cứu, tư vấn, phản biện chính sách, giải pháp công nghệ.',
  'Liên hiệp các Hội Khoa học và Kỹ thuật',
  'Sở, ban, ngành có liên quan',
  'Thường xuyên'],
 ['4',
  'Xây dựng cơ chế đặt hàng nghiên cứu khoa học và công nghệ của Tỉnh gắn với nhu cầu thực '
  'tiễn, khuyến khích mô hình hợp tác công - tư (PPP) trong phát triển hạ tầng công nghệ '
  'và đổi mới sáng tạo.',
  'Sở Khoa học và Công nghệ',
  'Viện, Trường; Doanh nghiệp, Sở, ban, ngành có liên quan',
  '2026'],
 ['II', 'HỖ TRỢ VÀ PHÁT TRIỂN CÔNG NGHỆ'],
 ['1',
  'Xây dựng chương trình hỗ trợ nghiên cứu, ứng dụng, chuyển giao, đổi mới công nghệ cao '
  'cho doanh nghiệp, hợp tác xã, hộ sản xuất.',
  'Sở Khoa học và Công nghệ',
  'Sở, ban, ngành có liên quan',
  '2026'],
 ['2',
  'Phát triển hệ sinh thái đổi mới sáng tạo, phối hợp triển khai vận hành hoạt động ứng '
  'dụng, chuyển giao công nghệ.',
  'Sở Khoa học và Công nghệ',
  'Sở, ban, ngành có liên quan',
  '2025 - 2035'],
 ['3',
  'Xây dựng và triển khai Chương trình/ Đề án phát triển hạ tầng số, dữ liệu số, chính '
  'quyền số, kinh tế số và xã hội số.',
  'Sở Khoa học và Công nghệ',
  'Sở, ban, ngành có liên quan',
  '2025 - 2035'],
 ['4',
  'Hỗ trợ doanh nghiệp ứng dụng công nghệ số trong quản trị sản xuất, kinh doanh, đặc biệt '
  'là thương mại điện tử và logistics.',
  'Sở Công Thương',
  'Doanh nghiệp; Sở, ban, ngành có liên quan',
  '2025 - 2035'],
 ['5',
  'Đẩy mạnh hợp tác, liên kết với viện nghiên cứu, trường đại học, doanh nghiệp để tiếp '
  'nhận, chuyển giao công nghệ tiên tiến.',
  'Sở Khoa học và Công nghệ',
  'Viện, Trường; Doanh nghiệp; Sở, ban, ngành có liên quan',
  'Thường xuyên'],
 ['III', 'GIẢI PHÁP TRONG CHUYỂN ĐỔI CÔNG NGHỆ TRONG CÁC NGÀNH'],
 ['1',
  'Triển khai công nghệ cao trong trồng trọt, thủy sản, chăn nuôi; phát triển nông nghiệp '
  'thông minh, tuần hoàn, thích ứng biến đổi khí hậu.',
  'Sở Nông nghiệp và Môi trường',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  '2025 - 2035'],
 ['2',
  'Hướng dẫn hợp tác xã, nông dân ứng dụng công nghệ số, truy xuất nguồn gốc, quan trắc '
  'tài nguyên, môi trường.',
  'Sở Nông nghiệp và Môi trường',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  '2025 - 2030'],
 ['3',
  'Hỗ trợ doanh nghiệp tiếp cận chính sách khuyến công để đổi mới máy móc, thiết bị và '
  'công nghệ trong chế biến, bảo quản.',
  'Sở Công Thương',
  'Doanh nghiệp, Sở, ban, ngành có liên quan',
  '2025 - 2035'],
 ['4',
  'Ứng dụng công nghệ số trong quản lý, quảng bá và phát triển du lịch thông minh; hỗ trợ '
  'dịch vụ số hóa.',
  'Sở Văn hoá Thể thao du lịch',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  '2025 - 2030'],
 ['5',
  'Phối hợp triển khai Chương trình/đề án hỗ trợ đổi mới công nghệ, ứng dụng công nghệ số, '
  'sản xuất thông minh trong các khu công nghiệp, khu kinh tế.',
  'Ban Quản lý khu Kinh tế',
  'Doanh nghiệp, Sở, ban, ngành có liên quan',
  '2025 - 2030'],
 ['IV', 'PHÁT TRIỂN NGUỒN NHÂN LỰC'],
 ['1',
  'Xây dựng và triển khai các chương trình, kế hoạch đào tạo, bồi dưỡng nhân lực chất '
  'lượng cao đáp ứng yêu cầu đổi mới công nghệ, chuyển đổi số.',
  'Sở Giáo dục và Đào tạo',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  '2025 - 2030'],
 ['2',
  'Đổi mới chương trình, nội dung giảng dạy, tập trung vào nâng cao kiến thức khoa học '
  'công nghệ, kỹ năng số, tư duy đổi mới sáng tạo.',
  'Sở Giáo dục và Đào tạo',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  '2025 - 2030'],
 ['3',
  'Đào tạo, bồi dưỡng nhân lực thức khoa học và công nghệ; phối hợp triển khai thí điểm, '
  'nhân rộng mô hình công nghệ mới.',
  'Liên hiệp các Hội Khoa học và Kỹ thuật',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  'Thường xuyên'],
 ['4',
  'Tổ chức các hoạt động tập huấn, đào tạo nhân lực trong lĩnh vực nông nghiệp công nghệ '
  'cao, công nghệ môi trường.',
  'Sở Nông nghiệp và Môi trường',
  'Viện, Trường; Sở, ban, ngành có liên quan',
  'Thường xuyên'],
 ['5',
  'Vận động, khuyến khích hội viên, doanh nghiệp tham gia các chương trình đổi mới công '
  'nghệ, khởi nghiệp sáng tạo.',
  'Hiệp hội Doanh nghiệp',
  'Doanh nghiệp',
  'Thường xuyên']]

CENTERED = {"KẾ HOẠCH", PARAGRAPHS[1]}


def _cell_text(cell, text):
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _table(doc, rows, ncols):
    table = doc.add_table(rows=0, cols=ncols)
    table.style = "Table Grid"
    for row in rows:
        cells = table.add_row().cells
        if len(row) == 1:  # a group heading written across the whole row
            _cell_text(cells[0].merge(cells[ncols - 1]), row[0])
            continue
        if len(row) == 2:  # a group heading: its number, then one cell merged to the end
            _cell_text(cells[0], row[0])
            _cell_text(cells[1].merge(cells[ncols - 1]), row[1])
            continue
        for cell, text in zip(cells, row, strict=False):
            _cell_text(cell, text)
    return table


def build(out=OUT):
    doc = Document()
    head = doc.add_table(rows=0, cols=2)
    for row in HEADER:
        cells = head.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            _cell_text(cell, text)
    for text in PARAGRAPHS:
        p = doc.add_paragraph(text)
        if text in CENTERED:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sign = doc.add_table(rows=0, cols=2)
    for row in SIGNATURE:
        cells = sign.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            _cell_text(cell, text)
    doc.add_page_break()
    for text in APPENDIX_TITLE:
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(doc, TABLE, 5)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())
